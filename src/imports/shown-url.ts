/**
 * A URL as Shark shows or exports it: the password of its userinfo and the
 * values of its token-like query parameters read `***`, as git and curl
 * print them. Only for display: the document, the cache key and the lock
 * file's matching keep the URL as written, since re-keying on a redaction
 * would re-pin every import. Works on the text, not a parsed `URL`, so
 * everything else reads exactly as the user wrote it.
 */
export function shownUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (m === null) return url;
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  return scheme + shownAuthority(authority) + shownRest(rest);
}

/** Every URL in a text (an import clause, an error quoting one) as `shownUrl` shows it. */
export function shownUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, shownUrl);
}

function shownAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  if (at < 0) return authority;
  const colon = authority.indexOf(':');
  // A user with no password (`alice@host`) names nobody's secret.
  return colon < 0 || colon > at ? authority : `${authority.slice(0, colon)}:***${authority.slice(at)}`;
}

// Named like a credential: `token`, `access_token`, `api_key`, `client_secret`, `password`, `sig`, `X-Amz-Signature`.
const SECRET_NAME = /token|key|secret|passw(or)?d|signature|(^|[^a-z])sig$/i;

function shownRest(rest: string): string {
  const q = rest.indexOf('?');
  if (q < 0) return rest;
  const hash = rest.indexOf('#', q);
  const end = hash < 0 ? rest.length : hash;
  const query = rest.slice(q + 1, end).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq > 0 && SECRET_NAME.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=***` : pair;
  });
  return `${rest.slice(0, q + 1)}${query.join('&')}${rest.slice(end)}`;
}

/** A pin (a lock entry) as shown or exported: its `url` field, or any other quoting one, as `shownUrls` shows it. */
export function shownPin<T extends string | number>(pin: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(pin).map(([k, v]) => [k, typeof v === 'string' ? shownUrls(v) : v])) as Record<string, T>;
}
