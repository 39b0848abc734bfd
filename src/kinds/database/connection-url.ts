// What a connection_url says about where Vault connects and with which secret. Vault fills in
// `{{username}}` and `{{password}}` from the connection's own fields (the password being the root
// credential it rotates), so a URL must never carry a password of its own, and moving its host
// moves where Vault sends that credential.

const TEMPLATE = /\{\{\s*password\s*\}\}/;

/** The password a URL embeds itself (not the `{{password}}` template), or undefined. URL and key=value forms. */
export function embeddedPassword(url: string): string | undefined {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url.trim())?.[1];
  if (userinfo !== undefined && userinfo.includes(':')) {
    const pw = userinfo.slice(userinfo.indexOf(':') + 1);
    if (pw !== '' && !TEMPLATE.test(pw)) return pw;
  }
  for (const m of url.matchAll(/(?:^|[\s?&;])password\s*=\s*('[^']*'|[^\s&;]*)/gi)) {
    const pw = m[1]!.replace(/^'|'$/g, '');
    if (pw !== '' && !TEMPLATE.test(pw)) return pw;
  }
  return undefined;
}

export function usesPasswordTemplate(url: string): boolean {
  return TEMPLATE.test(url);
}

/**
 * Where the URL connects: `host:port` (lower case; hosts and ports of a multi-host URL joined), or
 * undefined when it cannot be told (then any change of the URL counts as a move).
 */
export function connectionTarget(url: string): string | undefined {
  const text = url.trim().replace(/\{\{[^}]*\}\}/g, 'x');
  const uri = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(text);
  const hostParams = [...text.matchAll(/(?:^|[\s?&;])(host|hostaddr|port)\s*=\s*([^\s&;]*)/gi)].map((m) => `${m[1]!.toLowerCase()}=${m[2]!.toLowerCase()}`).sort();
  if (uri) {
    const hosts = uri[1]!.toLowerCase();
    return hosts === '' && hostParams.length === 0 ? undefined : [hosts, ...hostParams].join(' ');
  }
  return hostParams.length > 0 ? hostParams.join(' ') : undefined;
}
