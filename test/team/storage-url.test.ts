// `--storage`: what an s3:// URL means, and the clear refusals of what it must not be.
import { describe, expect, it } from 'vitest';
import { parseStorageUrl } from '../../electron/engine/storage/storage-url.ts';

describe('--storage', () => {
  it('is the data folder by default and for "local"', () => {
    expect(parseStorageUrl(undefined)).toEqual({ kind: 'local' });
    expect(parseStorageUrl('local')).toEqual({ kind: 'local' });
  });

  it('reads bucket, prefix, endpoint and region; a custom endpoint means path-style', () => {
    expect(
      parseStorageUrl('s3://team-exports/eu/files?endpoint=http://127.0.0.1:7480&region=eu-west-1'),
    ).toEqual({
      kind: 's3',
      bucket: 'team-exports',
      prefix: 'eu/files/',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-1',
      pathStyle: true,
    });
    expect(parseStorageUrl('s3://team-exports')).toMatchObject({
      prefix: '',
      endpoint: null,
      region: 'us-east-1',
      pathStyle: false,
    });
  });

  it.each([
    ['s3://KEY:SECRET@bucket', /must not carry credentials/],
    ['s3://B_ad', /not a valid S3 bucket name/],
    ['gs://bucket', /"local" or an s3:\/\/ URL/],
    ['bucket', /"local" or s3:\/\/bucket/],
    ['s3://bucket?endpoint=ftp://x', /endpoint must be an http\(s\) URL/],
    ['s3://bucket?acl=public', /unknown option "acl"/],
    ['s3://bucket?path_style=yes', /path_style must be true or false/],
  ])('refuses %s with the reason', (url, why) => {
    expect(() => parseStorageUrl(url)).toThrow(why);
  });
});
