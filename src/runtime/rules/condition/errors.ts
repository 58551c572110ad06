// Errors raised while turning a resolved condition into closures (unknown field, bad value).
export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}
