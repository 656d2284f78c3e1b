import { useEffect, useMemo, useState } from "preact/hooks";
import { type CurrentToken, clientFor } from "./api.js";
import { BaselinesPage } from "./pages/baselines-page.js";
import { DevicesPage } from "./pages/devices-page.js";
import { NewOperationPage } from "./pages/new-operation-page.js";
import { OperationPage } from "./pages/operation-page.js";
import { OperationsPage } from "./pages/operations-page.js";
import { SchedulesPage } from "./pages/schedules-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { hrefOf, useRoute } from "./route.js";
import { forgetToken, storedToken, storeToken } from "./session.js";

type Session = { token: string; me: CurrentToken };

/** Sign-in gate, navigation and the current page. */
export function App() {
  const [session, setSession] = useState<Session>();
  const [checking, setChecking] = useState(() => storedToken() !== undefined);
  const [notice, setNotice] = useState<string>();
  const route = useRoute();
  const api = useMemo(() => (session ? clientFor(session.token) : undefined), [session]);

  // A token kept from earlier in this tab: check it is still valid (it may be revoked or expired).
  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    void clientFor(token)
      .GET("/api/v1/me")
      .then(({ data }) => {
        if (data) setSession({ token, me: data });
        else {
          forgetToken();
          setNotice("The saved token is no longer valid; sign in again.");
        }
      })
      .catch(() => setNotice("The API did not answer."))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="muted">Loading…</p>;
  if (!session || !api) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(token, me) => {
          storeToken(token);
          setSession({ token, me });
        }}
      />
    );
  }
  const signOut = () => {
    forgetToken();
    setSession(undefined);
  };
  const { me } = session;
  return (
    <div class="shell">
      <nav class="nav">
        <strong>headless-ops</strong>
        <a href={hrefOf({ page: "operations" })} class={route.page.startsWith("operation") ? "active" : ""}>
          Operations
        </a>
        <a href={hrefOf({ page: "devices" })} class={route.page === "devices" ? "active" : ""}>
          Devices
        </a>
        <a href={hrefOf({ page: "schedules" })} class={route.page === "schedules" ? "active" : ""}>
          Schedules
        </a>
        <a href={hrefOf({ page: "baselines" })} class={route.page === "baselines" ? "active" : ""}>
          Baselines
        </a>
        <span class="who" data-role={me.role}>
          {me.role} · organizations {me.organization_ids.join(", ")}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main>
        {route.page === "operations" && <OperationsPage api={api} me={me} />}
        {route.page === "operation" && <OperationPage api={api} me={me} id={route.id} />}
        {route.page === "devices" && <DevicesPage api={api} me={me} />}
        {route.page === "schedules" && <SchedulesPage api={api} me={me} />}
        {route.page === "baselines" && <BaselinesPage api={api} me={me} />}
        {route.page === "new-operation" &&
          (me.role === "viewer" ? (
            <p class="problem">This token is read-only.</p>
          ) : (
            <NewOperationPage api={api} me={me} />
          ))}
      </main>
    </div>
  );
}
