/**
 * Form fields that commit one edit when the user is done (Enter or leaving the field), not per keystroke,
 * and say inline why a value is refused. Esc restores the current value.
 */
import { useId, useState } from 'react';

export interface NumFieldProps {
  label: string;
  value: number | undefined;
  /** Shown after the input, e.g. `bytes`. */
  unit?: string;
  min: number;
  max: number;
  integer?: boolean;
  /** Display scale: the input shows value / scale (e.g. 1e9 to edit Gbit/s). */
  scale?: number;
  optional?: boolean;
  placeholder?: string;
  onCommit: (value: number | undefined) => void;
}

const show = (v: number | undefined, scale: number) => (v === undefined ? '' : String(Number((v / scale).toPrecision(12))));

/**
 * The draft behind a field: typed text is held until Enter or blur, when `accept` either commits it
 * (returning null) or says why not; Esc drops the draft. Empty text in an optional field commits "remove".
 */
function useDraft(label: string, optional: boolean, hasValue: boolean, onRemove: () => void, accept: (text: string) => string | null) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reset = () => {
    setText(null);
    setError(null);
  };
  const commit = () => {
    if (text === null) return;
    const t = text.trim();
    if (t === '' && optional) {
      reset();
      if (hasValue) onRemove();
      return;
    }
    const why = t === '' ? `${label} is required` : accept(t);
    if (why) setError(why);
    else reset();
  };
  const inputProps = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-err` : undefined,
    onChange: (e: { target: { value: string } }) => setText(e.target.value),
    onBlur: commit,
    onKeyDown: (e: { key: string }) => {
      if (e.key === 'Enter') commit();
      if (e.key === 'Escape') reset();
    },
  };
  return { id, text, error, inputProps };
}

function FieldError({ id, error }: { id: string; error: string | null }) {
  if (!error) return null;
  return (
    <span className="field-error" id={`${id}-err`} role="alert">
      {error}
    </span>
  );
}

export function NumField({ label, value, unit, min, max, integer = true, scale = 1, optional = false, placeholder, onCommit }: NumFieldProps) {
  const { id, text, error, inputProps } = useDraft(label, optional, value !== undefined, () => onCommit(undefined), (t) => {
    const v = Number(t) * scale;
    if (!Number.isFinite(v) || (integer && !Number.isInteger(Math.round(v * 1e6) / 1e6)) || v < min || v > max) {
      return `${label}: enter ${integer && scale === 1 ? 'an integer' : 'a number'} from ${min / scale} to ${max / scale}${unit ? ` ${unit}` : ''}`;
    }
    const out = integer ? Math.round(v) : v;
    if (out !== value) onCommit(out);
    return null;
  });
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      <span className="input-unit">
        <input {...inputProps} inputMode="decimal" value={text ?? show(value, scale)} placeholder={placeholder} />
        {unit && <span className="unit">{unit}</span>}
      </span>
      <FieldError id={id} error={error} />
    </div>
  );
}

export interface TextFieldProps {
  label: string;
  value: string | undefined;
  placeholder?: string;
  /** Returns why the text is refused, or null. Empty text means "remove" when optional. */
  check?: (text: string) => string | null;
  optional?: boolean;
  monospace?: boolean;
  onCommit: (value: string | undefined) => void;
}

export function TextField({ label, value, placeholder, check, optional = false, monospace = false, onCommit }: TextFieldProps) {
  const { id, text, error, inputProps } = useDraft(label, optional, value !== undefined, () => onCommit(undefined), (t) => {
    const why = check?.(t) ?? null;
    if (!why && t !== value) onCommit(t);
    return why;
  });
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      <input {...inputProps} className={monospace ? 'mono' : undefined} value={text ?? value ?? ''} placeholder={placeholder} />
      <FieldError id={id} error={error} />
    </div>
  );
}

export function SelectField<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void }) {
  const id = useId();
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckField({ label, checked, onChange, description }: { label: string; checked: boolean; onChange: (v: boolean) => void; description?: string }) {
  const id = useId();
  return (
    <div className="form-row check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={description ? `${id}-d` : undefined} />
      <label htmlFor={id}>{label}</label>
      {description && (
        <span className="hint" id={`${id}-d`}>
          {description}
        </span>
      )}
    </div>
  );
}
