export function LoginPage(props: { csrf: string; next: string; error?: string; access: boolean }) {
  return (
    <div class="login card">
      <h1>Review console</h1>
      {props.error ? <div class="notice error">{props.error}</div> : null}
      <form method="post" action="/console/login">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <label>
          Your name (recorded with your actions)
          <input name="name" autocomplete="name" maxlength={100} />
        </label>
        <label>
          Admin token
          <input type="password" name="token" required autocomplete="current-password" />
        </label>
        <button type="submit">Log in</button>
      </form>
      {props.access ? <p class="muted">Behind Cloudflare Access you are signed in automatically.</p> : null}
    </div>
  );
}
