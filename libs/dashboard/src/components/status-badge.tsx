import { humanize } from "../format.js";

export function StatusBadge(props: { status: string }) {
  return (
    <span class={`badge badge-${props.status}`} data-status={props.status}>
      {humanize(props.status)}
    </span>
  );
}
