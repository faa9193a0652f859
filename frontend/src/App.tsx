import { Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useBusInvalidation } from "./api/hooks";
import { useI18n } from "./i18n";
import { useRoute } from "./router";
import { Loading } from "./screens/common";
import { Home } from "./screens/Home";
import { Shell } from "./shell/Shell";

// Screens load on first visit, so the window starts with a small bundle (cold start).
const CompaniesScreen = lazy(() =>
  import("./screens/companies/Companies").then((m) => ({ default: m.CompaniesScreen })),
);
const CompanyPage = lazy(() =>
  import("./screens/companies/Companies").then((m) => ({ default: m.CompanyPage })),
);
const NewCompanyPage = lazy(() =>
  import("./screens/companies/Companies").then((m) => ({ default: m.NewCompanyPage })),
);
const CampaignBuilder = lazy(() =>
  import("./screens/campaigns/Builder").then((m) => ({ default: m.CampaignBuilder })),
);
const CampaignList = lazy(() =>
  import("./screens/campaigns/CampaignList").then((m) => ({ default: m.CampaignList })),
);
const ContactPage = lazy(() =>
  import("./screens/contacts/ContactPage").then((m) => ({ default: m.ContactPage })),
);
const NewContactPage = lazy(() =>
  import("./screens/contacts/ContactPage").then((m) => ({ default: m.NewContactPage })),
);
const ContactsScreen = lazy(() =>
  import("./screens/contacts/ContactsScreen").then((m) => ({ default: m.ContactsScreen })),
);
const DashboardScreen = lazy(() =>
  import("./screens/dashboard/Dashboard").then((m) => ({ default: m.DashboardScreen })),
);
const EmailRoutes = lazy(() => import("./screens/emails/routes").then((m) => ({ default: m.EmailRoutes })));
const PageRoutes = lazy(() => import("./screens/pages/routes").then((m) => ({ default: m.PageRoutes })));
const DwcRoutes = lazy(() => import("./screens/dwc/DwcScreens").then((m) => ({ default: m.DwcRoutes })));
const FocusRoutes = lazy(() =>
  import("./screens/focus/FocusScreens").then((m) => ({ default: m.FocusRoutes })),
);
const FieldManager = lazy(() =>
  import("./screens/fields/FieldManager").then((m) => ({ default: m.FieldManager })),
);
const ImportWizard = lazy(() =>
  import("./screens/io/ImportWizard").then((m) => ({ default: m.ImportWizard })),
);
const ReportBuilder = lazy(() =>
  import("./screens/reports/ReportBuilder").then((m) => ({ default: m.ReportBuilder })),
);
const ReportsList = lazy(() =>
  import("./screens/reports/ReportsList").then((m) => ({ default: m.ReportsList })),
);
const PointsRoutes = lazy(() => import("./screens/points/routes").then((m) => ({ default: m.PointsRoutes })));
const Settings = lazy(() => import("./screens/Settings").then((m) => ({ default: m.Settings })));
const SegmentEditor = lazy(() =>
  import("./screens/segments/SegmentEditor").then((m) => ({ default: m.SegmentEditor })),
);
const SegmentsScreen = lazy(() =>
  import("./screens/segments/SegmentsScreen").then((m) => ({ default: m.SegmentsScreen })),
);
const SyncSettings = lazy(() =>
  import("./screens/sync/SyncSettings").then((m) => ({ default: m.SyncSettings })),
);
const FormList = lazy(() => import("./screens/forms/FormList").then((m) => ({ default: m.FormList })));
const FormBuilder = lazy(() =>
  import("./screens/forms/FormBuilder").then((m) => ({ default: m.FormBuilder })),
);
const AssetList = lazy(() => import("./screens/assets/AssetList").then((m) => ({ default: m.AssetList })));
const Trash = lazy(() => import("./screens/Trash").then((m) => ({ default: m.Trash })));

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
    case "dashboard":
      return <DashboardScreen />;
    case "pages":
      return <PageRoutes parts={route.parts} />;
    case "dwc":
      return <DwcRoutes parts={route.parts} />;
    case "focus":
      return <FocusRoutes parts={route.parts} />;
    case "campaigns":
      return id ? <CampaignBuilder key={id} id={id} /> : <CampaignList />;
    case "reports":
      return id ? <ReportBuilder key={id} id={id} /> : <ReportsList />;
    case "points":
    case "stages":
      return <PointsRoutes parts={route.parts} />;
    case "forms":
      return id ? <FormBuilder key={id} id={id} /> : <FormList />;
    case "assets":
      return <AssetList id={id} />;
    default:
      return <NotFound />;
  }
}

export function App() {
  useBusInvalidation(useQueryClient());
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        <Screen />
      </Suspense>
    </Shell>
  );
}
