import { useState } from "preact/hooks";
import { type CurrentToken, clientFor, problemOf } from "../api.js";

/** Asks for an API token, checks it with `GET /api/v1/me`, and hands it over only when it works. */
export function SignInPage(props: {
  onSignedIn: (token: string, me: CurrentToken) => void;
  notice?: string;
}) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState(props.notice);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const { data, error, response } = await clientFor(token.trim()).GET("/api/v1/me");
      if (data) props.onSignedIn(token.trim(), data);
      else setProblem(problemOf(error, response.status));
    } catch (err) {
      setProblem(`The API did not answer: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>headless-ops</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || token.trim() === ""}>
          Sign in
        </button>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
        <p class="muted">
          The token stays in this tab (session storage) and is sent only in the Authorization header.
        </p>
      </form>
    </main>
  );
}
