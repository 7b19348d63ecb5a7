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

export function NumField({ label, value, unit, min, max, integer = true, scale = 1, optional = false, placeholder, onCommit }: NumFieldProps) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = text ?? show(value, scale);
  const commit = () => {
    if (text === null) return;
    const t = text.trim();
    if (t === '' && optional) {
      setText(null);
      setError(null);
      if (value !== undefined) onCommit(undefined);
      return;
    }
    const v = Number(t) * scale;
    const lo = min / scale;
    const hi = max / scale;
    if (t === '' || !Number.isFinite(v) || (integer && !Number.isInteger(Math.round(v * 1e6) / 1e6)) || v < min || v > max) {
      setError(`${label}: enter ${integer && scale === 1 ? 'an integer' : 'a number'} from ${lo} to ${hi}${unit ? ` ${unit}` : ''}`);
      return;
    }
    setText(null);
    setError(null);
    const out = integer ? Math.round(v) : v;
    if (out !== value) onCommit(out);
  };
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      <span className="input-unit">
        <input
          id={id}
          inputMode="decimal"
          value={current}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-err` : undefined}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') {
              setText(null);
              setError(null);
            }
          }}
        />
        {unit && <span className="unit">{unit}</span>}
      </span>
      {error && (
        <span className="field-error" id={`${id}-err`} role="alert">
          {error}
        </span>
      )}
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
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    if (text === null) return;
    const t = text.trim();
    if (t === '' && optional) {
      setText(null);
      setError(null);
      if (value !== undefined) onCommit(undefined);
      return;
    }
    const why = t === '' ? `${label} is required` : (check?.(t) ?? null);
    if (why) {
      setError(why);
      return;
    }
    setText(null);
    setError(null);
    if (t !== value) onCommit(t);
  };
  return (
    <div className="form-row">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className={monospace ? 'mono' : undefined}
        value={text ?? value ?? ''}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setText(null);
            setError(null);
          }
        }}
      />
      {error && (
        <span className="field-error" id={`${id}-err`} role="alert">
          {error}
        </span>
      )}
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
