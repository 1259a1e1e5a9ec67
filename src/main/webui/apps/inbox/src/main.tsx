import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Inbox } from './inbox.js';
import { InboxView, Message, SignIn } from './app.js';
import {
  hostToken, identityOf, loadConfig, sandboxToken, takeFragmentToken, tokenSource, type InboxConfig, type Role,
} from './auth.js';
import './styles.css';

// Taken before anything else runs: the fragment never stays in the address bar or the history.
const fragmentToken = takeFragmentToken();

type Boot =
  | { kind: 'loading' }
  | { kind: 'signin'; config: InboxConfig; error?: string }
  | { kind: 'inbox'; inbox: Inbox; config: InboxConfig }
  | { kind: 'error'; message: string };

function start(token: string, refresh: (() => Promise<string>) | undefined, config: InboxConfig): Boot {
  const me = identityOf(token);
  const inbox = new Inbox(me, tokenSource(token, refresh), config.sandbox);
  inbox.start();
  (window as unknown as { __inbox?: Inbox }).__inbox = inbox; // for the browser tests and the console
  return { kind: 'inbox', inbox, config };
}

function Root() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  useEffect(() => {
    (async () => {
      const config = await loadConfig();
      try {
        if (fragmentToken) return setBoot(start(fragmentToken, undefined, config));
        if (config.tokenUrl) {
          const url = config.tokenUrl;
          return setBoot(start(await hostToken(url), () => hostToken(url), config));
        }
      } catch (e) {
        return setBoot({ kind: 'error', message: String((e as Error)?.message ?? e) });
      }
      if (config.sandbox) return setBoot({ kind: 'signin', config });
      setBoot({ kind: 'error', message: 'This inbox needs a token from its host application (app.inbox.token-url or #token=).' });
    })();
  }, []);

  switch (boot.kind) {
    case 'loading': return <Message title="Loading…" />;
    case 'error': return <Message title="Cannot open the inbox"><p class="error">{boot.message}</p></Message>;
    case 'signin': return <SignIn error={boot.error} onSignIn={async (name: string, role: Role) => {
      try {
        const token = await sandboxToken(name, role);
        setBoot(start(token, () => sandboxToken(name, role), boot.config));
      } catch (e) {
        setBoot({ kind: 'signin', config: boot.config, error: String((e as Error)?.message ?? e) });
      }
    }} />;
    case 'inbox': return <InboxView inbox={boot.inbox} onSignOut={boot.config.sandbox && !fragmentToken ? () => {
      boot.inbox.stop();
      setBoot({ kind: 'signin', config: boot.config });
    } : undefined} />;
  }
}

render(<Root />, document.getElementById('root')!);
