import { ExpressionError, parseExpression } from '../../src/schedule/index.ts';

/** The ExpressionError `parseExpression(text)` throws; fails the test when it accepts the text. */
export function parseError(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}
