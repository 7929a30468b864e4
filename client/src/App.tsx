import { useEffect, useRef } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Header } from './components/Header';
import { useDocumentTitle } from './hooks';
import { useLiveSession } from './live/hooks';
import { Link, useLocation } from './navigation';
import { BoardPage } from './pages/BoardPage';
import { CommunityPage } from './pages/CommunityPage';
import { HomePage } from './pages/HomePage';
import { IdeaPage } from './pages/IdeaPage';
import { LoginPage } from './pages/LoginPage';
import { SignupPage } from './pages/SignupPage';
import { ChangelogPage } from './pipeline/ChangelogPage';
import { NotificationsPage } from './pipeline/NotificationsPage';
import { ProfilePage } from './pipeline/ProfilePage';
import { RoadmapPage } from './pipeline/RoadmapPage';
import { TriagePage } from './pipeline/TriagePage';
import { isId, type Route, resolveRoute } from './router';
import { Loading } from './components/ErrorNotice';
import { useSession } from './session';

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'login':
      return <LoginPage />;
    case 'signup':
      return <SignupPage />;
    case 'community':
      return <CommunityPage key={route.slug} slug={route.slug} />;
    case 'board':
      return isId(route.boardId) ? <BoardPage key={route.boardId} boardId={route.boardId} /> : <NotFound />;
    case 'idea':
      return isId(route.ideaId) ? <IdeaPage key={route.ideaId} ideaId={route.ideaId} /> : <NotFound />;
    case 'triage':
      return isId(route.boardId) ? <TriagePage key={route.boardId} boardId={route.boardId} /> : <NotFound />;
    case 'roadmap':
      return <RoadmapPage key={route.slug} slug={route.slug} />;
    case 'changelog':
      return <ChangelogPage key={route.slug} slug={route.slug} />;
    case 'notifications':
      return <NotificationsPage />;
    case 'profile':
      return <ProfilePage />;
    case 'notFound':
      return <NotFound />;
  }
}

function NotFound() {
  useDocumentTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the communities</Link>
      </p>
    </>
  );
}

export function App() {
  const { pathname } = useLocation();
  const { ready, user, setUser } = useSession();
  useLiveSession(user?.id ?? null, ready, () => setUser(null));
  const route = resolveRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After in-app navigation, move focus to the new content so keyboard and screen-reader
  // users start from the top of the new screen, as they would after a full page load.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of pathname
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <ConnectionBanner />
      <main id="main" ref={main} tabIndex={-1} className="container">
        {/* Screens wait for the session so they load once, with the right permissions. */}
        {ready ? <Screen route={route} /> : <Loading />}
      </main>
      <footer className="site-footer">
        <div className="container">
          CoCreate: ideas from the people who use the product. <a href="/docs">API docs</a>
        </div>
      </footer>
    </>
  );
}
