// The skyscope API as the page uses it: the key (kept in sessionStorage), JSON requests, sockets.

const KEY = "skyscope.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// A request with the key; JSON in and out. A refusal (HTTP error or success: false) throws.
export async function api(path, { method = "GET", body, params } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params || {})) url.searchParams.set(name, value);
  const headers = { Authorization: `ApiKey ${apiKey()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const reply = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new ApiError(answer.detail || `${reply.status} ${reply.statusText}`, reply.status);
  if (answer.success === false) throw new ApiError(answer.msg || "refused", reply.status);
  return answer;
}

// A binary resource (a frame as PNG) as an object URL for an <img>.
export async function blobUrl(path, params) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params || {})) url.searchParams.set(name, value);
  const reply = await fetch(url, { headers: { Authorization: `ApiKey ${apiKey()}` } });
  if (!reply.ok) {
    const answer = await reply.json().catch(() => ({}));
    throw new ApiError(answer.detail || `${reply.status}`, reply.status);
  }
  return URL.createObjectURL(await reply.blob());
}

// A websocket to ``path``: a browser cannot set headers there, so the key rides as a subprotocol.
export function socket(path, params) {
  const url = new URL(path, location.origin);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  for (const [name, value] of Object.entries(params || {})) url.searchParams.set(name, value);
  return new WebSocket(url, ["skyscope", `apikey.${apiKey()}`]);
}

// Decode a live frame message: uint32 n | n bytes of JSON header | pixels.
export function unpackFrame(buffer) {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  return { header, offset: 4 + length };
}
