// @ts-check
// Same-origin calls to the console server's /api. Bodies are JSON; answers are checked field by field,
// because what comes back started life in other processes.

/**
 * @typedef {{ ok: boolean, status: number, body: unknown }} ApiAnswer
 */

/**
 * @param {string} path
 * @param {{ method?: string, json?: unknown }} [options]
 * @returns {Promise<ApiAnswer>}
 */
export async function api(path, options = {}) {
  /** @type {RequestInit} */
  const init = { method: options.method ?? 'GET', headers: {} };
  if (options.json !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(options.json);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return {
      ok: false,
      status: 0,
      body: { error: { code: 'network', message: 'the console server is not answering' } },
    };
  }
  const text = await response.text();
  /** @type {unknown} */
  let body = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { ok: response.ok, status: response.status, body };
}

/**
 * The error message of an API answer, in the service's words (`code: message`), or the HTTP status.
 * @param {ApiAnswer} answer
 */
export function errorText(answer) {
  const error = field(answer.body, 'error');
  const code = field(error, 'code');
  const message = field(error, 'message') ?? field(answer.body, 'Message') ?? field(answer.body, 'message');
  if (typeof message === 'string') {
    return typeof code === 'string'
      ? `${message} (${code}, HTTP ${answer.status})`
      : `${message} (HTTP ${answer.status})`;
  }
  return answer.status === 0 ? 'the console server is not answering' : `HTTP ${answer.status}`;
}

/**
 * @param {unknown} value
 * @param {string} key
 * @returns {unknown}
 */
export function field(value, key) {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.getOwnPropertyDescriptor(value, key)?.value;
}

/**
 * @param {unknown} value
 * @param {string} key
 */
export function str(value, key) {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

/**
 * @param {unknown} value
 * @param {string} key
 */
export function num(value, key) {
  const v = field(value, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * @param {unknown} value
 * @param {string} key
 * @returns {unknown[]}
 */
export function list(value, key) {
  const v = field(value, key);
  return Array.isArray(v) ? v : [];
}

/**
 * Reads a file (or blob) as the base64 the service expects.
 * @param {Blob} blob
 * @returns {Promise<string>}
 */
export function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(blob);
  });
}
