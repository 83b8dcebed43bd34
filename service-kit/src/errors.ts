// Errors that routes and domain code throw on purpose. The error middleware of
// createApp turns them into a status code and a JSON body; anything else is a 500.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, field?: string) =>
  new HttpError(400, message, field === undefined ? {} : { field });

export const notFound = (message: string) => new HttpError(404, message);

export const conflict = (message: string) => new HttpError(409, message);
