// Typed errors of the pure business rules. Callers (API handlers, activities) can map any
// DomainValidationError to a 4xx answer by `code` without parsing messages.

export class DomainValidationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
