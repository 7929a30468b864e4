import { call, sample } from './bridge.mjs';

/**
 * @param {string} method @param {string} url @param {unknown} body @param {{ headers?: Record<string, string> }} [params]
 */
function request(method, url, body, params) {
  const t0 = Date.now();
  const r = call({
    op: 'http',
    method,
    url,
    body: body === null || body === undefined ? undefined : String(body),
    headers: params?.headers ?? {},
  });
  sample('http_req_duration', 'trend', Date.now() - t0, undefined);
  sample('http_reqs', 'counter', 1, undefined);
  return { status: r.status, body: r.body, headers: r.headers, error: r.error || '', json: () => JSON.parse(r.body) };
}

export default {
  /** @param {string} url @param {any} [params] */
  get: (url, params) => request('GET', url, undefined, params),
  /** @param {string} url @param {unknown} body @param {any} [params] */
  post: (url, body, params) => request('POST', url, body, params),
  /** @param {string} url @param {unknown} body @param {any} [params] */
  put: (url, body, params) => request('PUT', url, body, params),
  /** @param {string} url @param {unknown} body @param {any} [params] */
  del: (url, body, params) => request('DELETE', url, body, params),
};
