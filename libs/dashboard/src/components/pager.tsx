/** Previous / next over a DRF-style page (count, page, page_size). */
export function Pager(props: {
  page: number;
  pageSize: number;
  count: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(props.count / props.pageSize));
  return (
    <div class="pager">
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        ‹ Previous
      </button>
      <span>
        page {props.page} of {pages} · {props.count.toLocaleString("en-US")} rows
      </span>
      <button type="button" disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)}>
        Next ›
      </button>
    </div>
  );
}
