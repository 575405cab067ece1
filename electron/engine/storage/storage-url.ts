// `--storage s3://bucket/prefix?endpoint=http://host:port&region=us-east-1&path_style=true`: where
// export files go. Credentials never ride in the URL (it shows in process lists and logs): they
// come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the SDK's usual chain.

export interface S3Location {
  readonly bucket: string;
  /** Key prefix, '' or ending in '/'. */
  readonly prefix: string;
  readonly endpoint: string | null;
  readonly region: string;
  readonly pathStyle: boolean;
}

export type StorageSpec = { kind: 'local' } | ({ kind: 's3' } & S3Location);

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseStorageUrl(text: string | undefined): StorageSpec {
  if (text === undefined || text === '' || text === 'local') return { kind: 'local' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `--storage must be "local" or s3://bucket[/prefix]?endpoint=..., not "${text}".`,
    );
  }
  if (url.protocol !== 's3:')
    throw new Error(`--storage must be "local" or an s3:// URL, not "${url.protocol}//...".`);
  if (url.username || url.password)
    throw new Error(
      '--storage must not carry credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw new Error(`"${bucket}" is not a valid S3 bucket name.`);
  const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const prefix = path === '' ? '' : path.endsWith('/') ? path : `${path}/`;
  const known = new Set(['endpoint', 'region', 'path_style']);
  for (const k of url.searchParams.keys())
    if (!known.has(k))
      throw new Error(`--storage: unknown option "${k}" (known: endpoint, region, path_style).`);
  const endpoint = url.searchParams.get('endpoint');
  if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new Error(`--storage: endpoint must be an http(s) URL, not "${endpoint}".`);
  const style = url.searchParams.get('path_style');
  if (style !== null && style !== 'true' && style !== 'false')
    throw new Error(`--storage: path_style must be true or false, not "${style}".`);
  return {
    kind: 's3',
    bucket,
    prefix,
    endpoint,
    region: url.searchParams.get('region') ?? 'us-east-1',
    // A custom endpoint (radosgw, MinIO) usually has no wildcard DNS for bucket subdomains.
    pathStyle: style === null ? endpoint !== null : style === 'true',
  };
}
