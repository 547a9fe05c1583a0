/** A request parameter the analytics library cannot accept; the API turns it into a 400 naming `field`. */
export class InvalidParameterError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidParameterError';
  }
}

/** PostgreSQL text cannot hold NUL, and no identifier we store has control characters. */
export const hasControlCharacters = (value: string) => /[\u0000-\u001f\u007f]/.test(value);
