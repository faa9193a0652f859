import { Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useBusInvalidation } from "./api/hooks";
import { useI18n } from "./i18n";
import { useRoute } from "./router";
import { CompaniesScreen, CompanyPage, NewCompanyPage } from "./screens/companies/Companies";
import { ContactPage, NewContactPage } from "./screens/contacts/ContactPage";
import { ContactsScreen } from "./screens/contacts/ContactsScreen";
import { EmailRoutes } from "./screens/emails/routes";
import { FieldManager } from "./screens/fields/FieldManager";
import { Home } from "./screens/Home";
import { ImportWizard } from "./screens/io/ImportWizard";
import { Settings } from "./screens/Settings";
import { SegmentEditor } from "./screens/segments/SegmentEditor";
import { SegmentsScreen } from "./screens/segments/SegmentsScreen";
import { SyncSettings } from "./screens/sync/SyncSettings";
import { Trash } from "./screens/Trash";
import { Shell } from "./shell/Shell";

function NotFound() {
  const { t } = useI18n();
  return <Title order={2}>{t("palette.nothing")}</Title>;
}

export function Screen() {
  const route = useRoute();
  const [section, id] = route.parts;
  switch (section) {
    case undefined:
      return <Home />;
    case "contacts":
      if (id === "new") return <NewContactPage />;
      return id ? <ContactPage key={id} id={id} /> : <ContactsScreen />;
    case "companies":
      if (id === "new") return <NewCompanyPage />;
      return id ? <CompanyPage key={id} id={id} /> : <CompaniesScreen />;
    case "fields":
      return <FieldManager />;
    case "import":
      return <ImportWizard />;
    case "trash":
      return <Trash />;
    case "segments":
      return id ? <SegmentEditor key={id} id={id} /> : <SegmentsScreen />;
    case "settings":
      return route.parts[1] === "sync" ? <SyncSettings /> : <Settings />;
    case "emails":
      return <EmailRoutes parts={route.parts} />;
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
