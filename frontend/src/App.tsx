import { Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useBusInvalidation } from "./api/hooks";
import { useI18n } from "./i18n";
import { useRoute } from "./router";
import { ContactsScreen } from "./screens/contacts/ContactsScreen";
import { Home } from "./screens/Home";
import { Settings } from "./screens/Settings";
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
    case "contacts":
      return <ContactsScreen />;
    case "settings":
      return <Settings />;
    default:
      return <NotFound />;
  }
}

export function App() {
  useBusInvalidation(useQueryClient());
  return (
    <Shell>
      <Screen />
    </Shell>
  );
}
