/** Errors the routes throw; the app's error handler answers them as `{"error":{"code","message"}}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Not found — and out of scope, which must be indistinguishable from it. */
export const notFound = (what = 'object'): HttpError => new HttpError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string, code = 'invalid_request'): HttpError => new HttpError(400, code, message);
export const forbidden = (message = 'not allowed for your role'): HttpError => new HttpError(403, 'forbidden', message);
export const unauthorized = (message = 'sign in first'): HttpError => new HttpError(401, 'unauthorized', message);
