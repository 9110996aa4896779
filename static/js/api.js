// The one way pages talk to the API: same-origin fetch with the session cookie, the CSRF
// token on state-changing requests, and the chosen account in X-Account-Id. Errors come
// back as ApiError carrying the API's stable name, message and details, for pages to show.

let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token;
}

export function currentAccount() {
  return localStorage.getItem("smsedge.account");
}

export function setCurrentAccount(id) {
  if (id) localStorage.setItem("smsedge.account", id);
  else localStorage.removeItem("smsedge.account");
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.name = error?.name || "HttpError";
    this.details = error?.details || [];
  }
}

export async function api(method, path, body, { account = true, raw = false, headers: extra = {} } = {}) {
  const headers = { accept: raw ? "*/*" : "application/json", ...extra };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const chosen = currentAccount();
  if (account && chosen) headers["x-account-id"] = chosen;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (e) {
    throw new ApiError(0, { name: "NetworkError", message: "The server could not be reached. Check your connection and try again." });
  }
  if (raw && response.ok) return response;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (_) {
    json = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, json?.error);
    if (response.status === 429) error.retryAfter = Number(response.headers.get("retry-after") || 0);
    throw error;
  }
  return json;
}
