// The OpenAPI description of the presigned file routes: what a tool downloading a file can expect.
// The handler checks the path itself (its own 400s and 403s), so these schemas accept any text.
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.ts';

export const FileId = Type.String({ description: 'The export id.' });
export const FileName = Type.String({
  description: "The file's own name, e.g. texas-leads.csv.gz.",
});
export const Expires = Type.String({
  description: 'The expiry, in Unix seconds. Required for a valid link.',
});
export const Signature = Type.String({
  description: 'HMAC-SHA256 (hex) of the method, /files/{id}/{filename} and the expiry.',
});

const fileBody = Type.String({ format: 'binary', description: 'The stored bytes.' });
const content = Object.fromEntries(
  [
    'application/gzip',
    'application/zstd',
    'text/csv',
    'application/x-ndjson',
    'application/octet-stream',
  ].map((type) => [type, { schema: fileBody }]),
);

const fileHeaders = {
  etag: Type.String({ description: "The file's sha256, quoted." }),
  'last-modified': Type.String({ description: 'When the file was written (an HTTP date).' }),
  'accept-ranges': Type.String({ description: 'Always bytes.' }),
  'content-disposition': Type.String({ description: 'attachment; filename="…"' }),
};

/** The parts both link forms share: tags, description, responses. */
export const fileDocs = {
  tags: ['files'],
  security: [],
  description:
    'No key: the signature is the credential. Served as stored bytes, never with a Content-Encoding, with Range (206), ETag, Last-Modified, If-Range, If-None-Match and If-Modified-Since (304), If-Match and If-Unmodified-Since (412), and HEAD. Checked in this order: a malformed path 400, a wrong signature 403 SIGNATURE_INVALID, an expired link 403 SIGNATURE_EXPIRED, a file gone 410 EXPORT_EXPIRED.',
  'x-errors': [
    'SIGNATURE_INVALID',
    'SIGNATURE_EXPIRED',
    'NOT_FOUND',
    'EXPORT_EXPIRED',
    'PRECONDITION_FAILED',
  ],
  response: {
    200: { description: 'The whole file.', headers: fileHeaders, content },
    206: {
      description: 'The requested range of the file.',
      headers: {
        ...fileHeaders,
        'content-range': Type.String({ description: 'bytes START-END/SIZE' }),
      },
      content,
    },
    302: Type.Null({
      description:
        "An engine that stores files in an S3-compatible bucket (--storage s3://...): Location is the bucket's own presigned URL for the file, valid no longer than this link; Range and resume apply there.",
    }),
    304: Type.Null({
      description: 'Not modified: If-None-Match matched the ETag, or If-Modified-Since holds.',
    }),
    416: {
      ...ErrorBody,
      description:
        'The range cannot be satisfied (INVALID_REQUEST); Content-Range says the size as bytes */SIZE.',
    },
  },
} as const;
