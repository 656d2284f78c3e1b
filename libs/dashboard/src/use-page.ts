import { useCallback, useEffect, useState } from "preact/hooks";
import { problemOf } from "./api.js";

type Answer<T> = { data?: { count: number; results: T[] }; error?: unknown; response: Response };

/**
 * One page of a DRF-style list from `load(page)`, with its problem if the API refused, and
 * `reload()` after a write. A late answer for an older page is dropped.
 */
export function usePage<T>(load: (page: number) => Promise<Answer<T>>, page: number) {
  const [rows, setRows] = useState<T[]>([]);
  const [count, setCount] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  // `version` is in the list only to run the effect again on reload().
  useEffect(() => {
    let live = true;
    void load(page).then(({ data, error, response }) => {
      if (!live) return;
      setLoaded(true);
      if (data) {
        setRows(data.results);
        setCount(data.count);
        setProblem(undefined);
      } else setProblem(problemOf(error, response.status));
    });
    return () => {
      live = false;
    };
  }, [load, page, version]);

  return { rows, count, loaded, problem, reload };
}
