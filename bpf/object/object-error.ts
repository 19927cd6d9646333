/** A problem with an object file's contents; the message names the section (and instruction) first. */
export class ObjectFormatError extends RangeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ObjectFormatError';
  }
}
