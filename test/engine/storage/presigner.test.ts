import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createPresigner } from '../../../electron/engine/storage/presigner.ts';
import {
  createFileStore,
  isSafeFilename,
  slugify,
} from '../../../electron/engine/storage/files.ts';
import { tempDir } from '../../helpers/context.ts';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const PATH = '/files/01930000-0000-7000-8000-000000000001/leads.csv.gz';
const T = Date.parse('2026-03-01T12:00:00Z');

function parts(qs: string) {
  const p = new URLSearchParams(qs);
  return { expires: p.get('expires')!, signature: p.get('signature')! };
}

describe('presigned links', () => {
  it('verifies an untouched link and refuses each signed field changed or the signature cut', () => {
    const p = createPresigner(dir());
    const exp = T / 1000 + 900;
    const { expires, signature } = parts(p.sign(PATH, exp));
    expect(p.verify('GET', PATH, expires, signature, T)).toBe('ok');
    expect(p.verify('HEAD', PATH, expires, signature, T)).toBe('ok');
    expect(p.verify('POST', PATH, expires, signature, T)).toBe('SIGNATURE_INVALID');
    expect(p.verify('GET', PATH.replace('leads', 'other'), expires, signature, T)).toBe(
      'SIGNATURE_INVALID',
    );
    expect(p.verify('GET', PATH.replace('0001', '0002'), expires, signature, T)).toBe(
      'SIGNATURE_INVALID',
    );
    expect(p.verify('GET', PATH, String(Number(expires) + 1), signature, T)).toBe(
      'SIGNATURE_INVALID',
    );
    expect(p.verify('GET', PATH, expires, signature.slice(0, 63), T)).toBe('SIGNATURE_INVALID');
    expect(
      p.verify(
        'GET',
        PATH,
        expires,
        signature.slice(0, 63) + (signature.endsWith('0') ? '1' : '0'),
        T,
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(p.verify('GET', PATH, expires, undefined, T)).toBe('SIGNATURE_INVALID');
    expect(p.verify('GET', PATH, undefined, signature, T)).toBe('SIGNATURE_INVALID');
  });

  it('is valid one second before expiry and expired one second after; a bad signature is reported first', () => {
    const p = createPresigner(dir());
    const exp = T / 1000 + 60;
    const { expires, signature } = parts(p.sign(PATH, exp));
    expect(p.verify('GET', PATH, expires, signature, (exp - 1) * 1000)).toBe('ok');
    expect(p.verify('GET', PATH, expires, signature, (exp + 1) * 1000)).toBe('SIGNATURE_EXPIRED');
    expect(p.verify('GET', PATH, expires, 'f'.repeat(64), (exp + 1) * 1000)).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rotating the secret invalidates every outstanding link, and the secret survives a restart', () => {
    const d = dir();
    const p = createPresigner(d);
    const { expires, signature } = parts(p.sign(PATH, T / 1000 + 900));
    expect(createPresigner(d).verify('GET', PATH, expires, signature, T)).toBe('ok');
    expect(statSync(join(d, 'signing-secret')).mode & 0o777).toBe(0o600);
    p.rotate();
    expect(p.verify('GET', PATH, expires, signature, T)).toBe('SIGNATURE_INVALID');
    expect(createPresigner(d).verify('GET', PATH, expires, signature, T)).toBe('SIGNATURE_INVALID');
  });
});

describe('file layout', () => {
  it('refuses traversal, absolute paths, separators and NUL, and never resolves outside its folder', () => {
    const store = createFileStore(dir());
    const id = '01930000-0000-7000-8000-000000000001';
    for (const bad of [
      '../x',
      '..',
      '.',
      '/etc/passwd',
      'a/b',
      'a\\b',
      'x\0y',
      'C:x',
      '.hidden',
      '',
    ]) {
      expect(isSafeFilename(bad), JSON.stringify(bad)).toBe(false);
      expect(() => store.resolveFile(id, bad)).toThrow(/malformed/);
    }
    expect(() => store.resolveFile('../../etc', 'passwd')).toThrow(/malformed/);
    expect(store.resolveFile(id, 'leads.csv.gz')).toBe(join(store.root, id, 'leads.csv.gz'));
  });

  it('slugifies names into safe file names', () => {
    expect(slugify('Texas Leads / Q1')).toBe('texas-leads-q1');
    expect(slugify('Texas Leads Q1')).toBe('texas-leads-q1');
    expect(slugify('../../.bashrc')).toBe('bashrc');
    expect(slugify('C:\\x')).toBe('c-x');
    expect(slugify('Zoë')).toBe('zoe');
    expect(slugify('///')).toBe('export');
  });
});
