import { AppError } from '../../domain/errors';
import { RuleSyntaxError, RuleVariableError } from '../../domain/notifications/rules';
import { TemplateError } from '../../domain/notifications/templates';

/**
 * Runs a template or rule check; its refusal is rethrown with what is wrong in `details` (the unknown names, the
 * error's position), which the API answers with 422.
 */
export function checked(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof TemplateError) throw new AppError(err.code, err.message, { unknown: err.unknown });
    if (err instanceof RuleVariableError) throw new AppError(err.code, err.message, { unknown: err.names, position: err.position });
    if (err instanceof RuleSyntaxError) throw new AppError(err.code, err.message, { position: err.position });
    throw err;
  }
}
