/**
 * A URL import's source may name a secret (`?token=%{TOKEN}`,
 * `https://alice:%{PASSWORD}@host/…`): the clause, and so the cache key,
 * the lock file and every record, keep `%{TOKEN}`; only the request is made
 * with the value. Anything the request's failure says (an error quoting the
 * URL, a redirect) is given back with `%{TOKEN}` in place of the value.
 */
export interface SecretUrl {
  /** The URL as requested, or undefined while a secret it names has no value here (a plan). */
  readonly url: string | undefined;
  /** `text` with each value put in given back as its `%{NAME}`. */
  readonly hide: (text: string) => string;
}

/** `%{NAME}` in a URL, the name captured: what `secretUrl` puts the value in for, and `plan --script` reads from the environment. */
export const SECRET_REFERENCE = /%\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function secretUrl(url: string, secrets: ReadonlyMap<string, string> | undefined): SecretUrl {
  const used = new Map<string, string>();
  let missing = false;
  const requested = url.replace(SECRET_REFERENCE, (whole, name: string) => {
    const value = secrets?.get(name);
    if (value === undefined || value === '') {
      missing = true;
      return whole;
    }
    used.set(name, value);
    return value;
  });
  // Longest first: a value inside another is given back as the other's name.
  const values = [...used].sort(([, a], [, b]) => b.length - a.length);
  return {
    url: missing ? undefined : requested,
    // As put in, and as a URL carries it once parsed or encoded (`a b` as `a%20b`).
    hide: (text) => values.reduce((t, [name, value]) => spellings(value).reduce((u, v) => u.split(v).join(`%{${name}}`), t), text),
  };
}

/** A secret's value as put in, and as a URL may carry it encoded (longest first, so none is split by a shorter one). */
function spellings(value: string): string[] {
  const encoded = (f: (v: string) => string): string => {
    try {
      return f(value);
    } catch {
      return value;
    }
  };
  return [...new Set([value, encoded(encodeURI), encoded(encodeURIComponent)])].sort((a, b) => b.length - a.length);
}
