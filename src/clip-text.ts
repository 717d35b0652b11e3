/**
 * Cuts user input before it goes into a message: an error that echoes a 100,000-character argument
 * back hides the one line that says what to do.
 */
export const MESSAGE_INPUT_LIMIT = 120;

export function clipText(value: string, limit: number = MESSAGE_INPUT_LIMIT): string {
  if (value.length <= limit) return value;
  const kept = Math.max(1, limit - 1);
  return `${value.slice(0, kept)}… (${value.length.toLocaleString('en-US')} characters)`;
}
