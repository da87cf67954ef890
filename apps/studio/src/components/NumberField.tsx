/** A labelled number input with its allowed range under it and the API's complaint about it, if any. */
export function NumberField(props: {
  id: string;
  label: string;
  min: number;
  max: number;
  step?: number;
  value: string;
  onChange: (value: string) => void;
  problem?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <small>
        {props.min}–{props.max}
      </small>
      {props.problem && <span className="field-problem">{props.problem}</span>}
    </div>
  );
}
