/** The operation's progress as an accessible bar (tests read aria-valuenow). */
export function ProgressBar(props: { value: number; status: string }) {
  const value = Math.max(0, Math.min(100, props.value));
  return (
    <div
      class={`progress progress-${props.status}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-label="progress"
    >
      <div class="progress-fill" style={{ width: `${value}%` }} />
      <span class="progress-text">{value} %</span>
    </div>
  );
}
