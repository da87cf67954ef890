import { type ApiError } from '../api/api-error';
import { describeError } from '../api/error-text';

/** An API error in plain words, announced to screen readers; the code stays visible for support. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div className="error-note" role="alert" data-code={error.code}>
      <p>{describeError(error)}</p>
      <p className="error-code">
        Error code: <code>{error.code}</code>
      </p>
    </div>
  );
}
