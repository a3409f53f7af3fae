// What every server action answers (lib/actions/server-action): `{ error, field? }` or its own value.
// Free of server imports: the forms that read it are client components.

export type ActionError = {
  error: string;
  /** the input field at fault, when there is one: "email", "taxonScope.0.name" */
  field?: string;
  /** what a form sent, passwords left out: React empties a form after its action, this refills it */
  values?: Record<string, string>;
};

export type ActionResult<T> = T | ActionError;

export function isActionError(result: unknown): result is ActionError {
  return typeof result === "object" && result !== null && typeof (result as ActionError).error === "string";
}

/** An action's own refusal, typed as one (so the action's value type stays its own). */
export function actionError(error: string, field?: string): ActionError {
  return field ? { error, field } : { error };
}
