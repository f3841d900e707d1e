import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../secret-box.js';

describe('secret box', () => {
  const box = createSecretBox('a'.repeat(40));
  it('seals with a fresh IV each time and opens back', () => {
    const a = box.seal('smtp-password'),
      b = box.seal('smtp-password');
    expect(a).not.toBe(b);
    expect(a).not.toContain('smtp-password');
    expect(box.open(a)).toBe('smtp-password');
  });
  it('refuses a tampered value or another APP_SECRET', () => {
    const sealed = box.seal('x');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('y').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/cannot be decrypted/);
    expect(() => createSecretBox('b'.repeat(40)).open(sealed)).toThrow(/cannot be decrypted/);
  });
  it('signs and verifies, rejecting altered data', () => {
    const sig = box.sign('step=1&url=https://a.example');
    expect(box.verify('step=1&url=https://a.example', sig)).toBe(true);
    expect(box.verify('step=2&url=https://a.example', sig)).toBe(false);
    expect(box.verify('step=1&url=https://a.example', sig.slice(0, -1))).toBe(false);
  });
});
