// The REST client: bearer token from session storage, typed failures so the feed can tell "down" from "refused".

const TOKEN_KEY = 'fluxtap.token';

export class Unauthorized extends Error {}

/** The server answered 400: a parameter (usually a filter the user typed) was refused; the feed itself is fine. */
export class BadRequest extends Error {
  constructor(body) {
    super(body?.message ?? 'bad request');
    this.parameter = body?.parameter ?? null;
  }
}

/** The server could not be reached, or answered with a server error. */
export class Unavailable extends Error {}

export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}

export function setToken(value) {
  try { sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* storage disabled: the token lives for this page only */ }
  memoryToken = value;
}

let memoryToken = null;

export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') query.set(k, v);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const headers = { Accept: 'application/json' };
  const t = token() ?? memoryToken;
  if (t) headers.Authorization = `Bearer ${t}`;
  let response;
  try {
    response = await fetch(url, { headers, cache: 'no-store' });
  } catch (e) {
    throw new Unavailable(`cannot reach the aggregator (${e.message})`);
  }
  if (response.status === 401) throw new Unauthorized('the API token is missing or wrong');
  if (response.status === 400) throw new BadRequest(await response.json().catch(() => null));
  if (!response.ok) throw new Unavailable(`the aggregator answered ${response.status}`);
  return response.json();
}
