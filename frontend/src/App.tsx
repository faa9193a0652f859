import { Title } from "@mantine/core";
import { useI18n } from "./i18n";
import { useRoute } from "./router";
import { Home } from "./screens/Home";
import { Settings } from "./screens/Settings";
import { SyncSettings } from "./screens/sync/SyncSettings";
import { Shell } from "./shell/Shell";

function NotFound() {
  const { t } = useI18n();
  return <Title order={2}>{t("palette.nothing")}</Title>;
}

export function Screen() {
  const route = useRoute();
  switch (route.parts[0]) {
    case undefined:
      return <Home />;
    case "settings":
      return route.parts[1] === "sync" ? <SyncSettings /> : <Settings />;
    default:
      return <NotFound />;
  }
}

export function App() {
  return (
    <Shell>
      <Screen />
    </Shell>
  );
}
