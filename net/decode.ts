// Bytes → text in the charset the document declares (HTTP header, BOM, XML declaration or
// <meta charset>), through iconv-lite, so Latin-1 and Shift_JIS feeds read correctly.
import iconv from 'iconv-lite';

function declaredCharset(body: Buffer, contentType: string): string | undefined {
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  if (fromHeader) return fromHeader;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  const head = body.subarray(0, 2048).toString('latin1');
  return (
    /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1] ??
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]
  );
}

/** Decodes a response body; unknown or missing charsets fall back to UTF-8. */
export function decodeBody(body: Buffer, contentType = ''): string {
  const cs = declaredCharset(body, contentType)?.toLowerCase();
  const charset = cs && iconv.encodingExists(cs) ? cs : 'utf-8';
  return iconv.decode(body, charset, { stripBOM: true });
}

/** rss-parser re-reads the XML declaration; once decoded, the text is no longer in that charset. */
export function stripXmlEncoding(xml: string): string {
  return xml.replace(/^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']/i, '$1');
}
