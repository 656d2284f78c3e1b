import { useEffect, useState } from "preact/hooks";

/*
 * Pages are addressed by the URL fragment (`#/operations/12`): the api serves one index.html at
 * /ui/ and needs no fallback route, and moving between pages never reloads (the live streams stay).
 */
export type Route =
  | { page: "operations" }
  | { page: "operation"; id: string }
  | { page: "devices" }
  | { page: "schedules" }
  | { page: "baselines" }
  | { page: "new-operation" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const op = /^\/operations\/(\d{1,19})$/.exec(path);
  if (op?.[1]) return { page: "operation", id: op[1] };
  if (path === "/devices") return { page: "devices" };
  if (path === "/schedules") return { page: "schedules" };
  if (path === "/baselines") return { page: "baselines" };
  if (path === "/operations/new") return { page: "new-operation" };
  return { page: "operations" };
}

export const hrefOf = (route: Route): string =>
  route.page === "operation"
    ? `#/operations/${route.id}`
    : route.page === "new-operation"
      ? "#/operations/new"
      : `#/${route.page}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
