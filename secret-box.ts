// Secrets at rest (SMTP/IMAP passwords, webhook secrets, DKIM keys): AES-256-GCM with a key
// derived from APP_SECRET. Stored as "v1.<iv>.<tag>.<ciphertext>", base64url.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.js';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
  /** HMAC-SHA256 for signed tokens (tracking links, unsubscribe), keyed apart from encryption. */
  sign(data: string): string;
  verify(data: string, signature: string): boolean;
}

export function createSecretBox(appSecret: string): SecretBox {
  const encKey = Buffer.from(hkdfSync('sha256', appSecret, 'prospector', 'secret-box/v1', 32));
  const macKey = Buffer.from(hkdfSync('sha256', appSecret, 'prospector', 'signing/v1', 32));
  const sign = (data: string) => createHmac('sha256', macKey).update(data).digest('base64url');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(
        '.',
      );
    },
    open(sealed) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new AppError('VALIDATION', 'not a sealed secret');
      try {
        const d = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
        d.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      } catch (cause) {
        throw new AppError('VALIDATION', 'secret cannot be decrypted with this APP_SECRET', { cause });
      }
    },
    sign,
    verify(data, signature) {
      const expected = Buffer.from(sign(data));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
