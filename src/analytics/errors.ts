/** A request parameter the analytics library cannot accept; the API turns it into a 400 naming `field`. */
export class InvalidParameterError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidParameterError';
  }
}
