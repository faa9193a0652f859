import {
  ActionIcon,
  AppShell,
  Group,
  NavLink,
  Text,
  Title,
  Tooltip,
  useComputedColorScheme,
} from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { createSpotlight, Spotlight, type SpotlightActionData } from "@mantine/spotlight";
import {
  IconAddressBook,
  IconBuilding,
  IconChartPie,
  IconClipboardText,
  IconFileDownload,
  IconFileImport,
  IconForms,
  IconHierarchy2,
  IconHome,
  IconLanguage,
  IconLayoutDashboard,
  IconMail,
  IconMoon,
  IconPuzzle,
  IconReportAnalytics,
  IconSearch,
  IconSettings,
  IconStairs,
  IconSun,
  IconTarget,
  IconTargetArrow,
  IconTrash,
  IconWorldWww,
} from "@tabler/icons-react";
import { Fragment, type ReactNode, useEffect, useState } from "react";
import { type ContactRow, Contacts, type FindHit, System } from "../api";
import { type Key, useI18n } from "../i18n";
import { usePrefs } from "../prefs";
import { isActive, navigate, useRoute } from "../router";
import { JobsIndicator } from "./JobsIndicator";
import { SyncBadge } from "./SyncBadge";

export interface NavItem {
  path: string;
  label: Key;
  icon: ReactNode;
  /** section heads a group in the sidebar (Mautic's menu groups); the first item of a group has it. */
  section?: Key;
}

const [paletteStore, palette] = createSpotlight();

/** selectFirstHit selects the palette's first entry when none is (as Mantine's own
 * selectAction does: the selection is a DOM attribute plus the store's index). */
function selectFirstHit() {
  const st = paletteStore.getState();
  const list = st.opened && st.listId ? document.getElementById(st.listId) : null;
  if (!list || list.querySelector("[data-selected]")) return;
  list.querySelector("[data-action]")?.setAttribute("data-selected", "true");
  paletteStore.updateState((x) => ({ ...x, selected: 0 }));
}

export const navItems: NavItem[] = [
  { path: "/", label: "nav.home", icon: <IconHome size={18} aria-hidden /> },
  { path: "/dashboard", label: "nav.dashboard", icon: <IconLayoutDashboard size={18} aria-hidden /> },
  {
    path: "/contacts",
    label: "nav.contacts",
    icon: <IconAddressBook size={18} aria-hidden />,
    section: "nav.section.audience",
  },
  { path: "/companies", label: "nav.companies", icon: <IconBuilding size={18} aria-hidden /> },
  { path: "/segments", label: "nav.segments", icon: <IconChartPie size={18} aria-hidden /> },
  {
    path: "/campaigns",
    label: "nav.campaigns",
    icon: <IconHierarchy2 size={18} aria-hidden />,
    section: "nav.section.automation",
  },
  { path: "/points", label: "nav.points", icon: <IconTarget size={18} aria-hidden /> },
  { path: "/stages", label: "nav.stages", icon: <IconStairs size={18} aria-hidden /> },
  {
    path: "/emails",
    label: "nav.emails",
    icon: <IconMail size={18} aria-hidden />,
    section: "nav.section.channels",
  },
  { path: "/focus", label: "nav.focus", icon: <IconTargetArrow size={18} aria-hidden /> },
  { path: "/dwc", label: "nav.dwc", icon: <IconPuzzle size={18} aria-hidden /> },
  {
    path: "/forms",
    label: "nav.forms",
    icon: <IconClipboardText size={18} aria-hidden />,
    section: "nav.section.components",
  },
  { path: "/pages", label: "nav.pages", icon: <IconWorldWww size={18} aria-hidden /> },
  { path: "/assets", label: "nav.assets", icon: <IconFileDownload size={18} aria-hidden /> },
  {
    path: "/reports",
    label: "nav.reports",
    icon: <IconReportAnalytics size={18} aria-hidden />,
    section: "nav.section.reports",
  },
  {
    path: "/fields",
    label: "nav.fields",
    icon: <IconForms size={18} aria-hidden />,
    section: "nav.section.data",
  },
  { path: "/import", label: "nav.import", icon: <IconFileImport size={18} aria-hidden /> },
  { path: "/trash", label: "nav.trash", icon: <IconTrash size={18} aria-hidden /> },
  { path: "/settings", label: "nav.settings", icon: <IconSettings size={18} aria-hidden /> },
];

export function Shell({
  children,
  extraActions = [],
}: {
  children: ReactNode;
  extraActions?: SpotlightActionData[];
}) {
  const { t, lang } = useI18n();
  const { update } = usePrefs();
  const route = useRoute();
  const scheme = useComputedColorScheme("light");
  const toggleTheme = () => void update({ theme: scheme === "dark" ? "light" : "dark" });
  const toggleLang = () => void update({ language: lang === "fr" ? "en" : "fr" });

  // Typing in the palette also finds contacts (name, email, company, tag:x)…
  const [query, setQuery] = useState("");
  const [q] = useDebouncedValue(query, 150);
  const [found, setFound] = useState<ContactRow[]>([]);
  const [named, setNamed] = useState<FindHit[]>([]);
  useEffect(() => {
    let live = true;
    if (q.trim().length < 2) {
      setFound([]);
      setNamed([]);
      return;
    }
    // …and segments, campaigns, emails, forms, pages, reports, assets, companies by name.
    System.Find(q, 5).then(
      (h) => live && setNamed(h),
      () => live && setNamed([]),
    );
    Contacts.List({
      search: q,
      sort: "",
      desc: false,
      offset: 0,
      limit: 6,
      columns: ["firstname", "lastname", "email", "company"],
      deleted: false,
      companyId: "",
    }).then(
      (p) => live && setFound(p.rows),
      () => live && setFound([]),
    );
    return () => {
      live = false;
    };
  }, [q]);

  // Ctrl/Cmd+K opens the palette from anywhere, text fields included.
  useHotkeys([["mod+K", () => palette.open()]], []);
  // Hits arrive after the text that asked for them: when nothing is selected yet, the first
  // hit is, so that Enter opens it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the hits change
  useEffect(() => selectFirstHit(), [named, found]);

  const actions: SpotlightActionData[] = [
    ...navItems.map((n) => ({
      id: `nav:${n.path}`,
      label: t(n.label),
      leftSection: n.icon,
      onClick: () => navigate(n.path),
    })),
    { id: "new-contact", label: t("palette.newContact"), onClick: () => navigate("/contacts/new") },
    { id: "new-company", label: t("palette.newCompany"), onClick: () => navigate("/companies/new") },
    { id: "campaigns", label: t("campaigns.new"), onClick: () => navigate("/campaigns") },
    { id: "new-report", label: t("reports.new"), onClick: () => navigate("/reports/new") },
    { id: "new-point-action", label: t("points.palette.newAction"), onClick: () => navigate("/points") },
    { id: "new-form", label: t("forms.new"), onClick: () => navigate("/forms/new") },
    { id: "new-asset", label: t("assets.new"), onClick: () => navigate("/assets") },
    { id: "load-demo", label: t("palette.loadDemo"), onClick: () => navigate("/") },
    { id: "new-page", label: t("palette.newPage"), onClick: () => navigate("/pages/new") },
    { id: "new-dwc", label: t("palette.newDwc"), onClick: () => navigate("/dwc/new") },
    { id: "new-focus", label: t("palette.newFocus"), onClick: () => navigate("/focus/new") },
    ...named.map((h) => {
      const nav = navItems.find((n) => n.path === `/${h.kind}`);
      return {
        id: `found:${h.kind}:${h.id}`,
        label: h.name,
        description: nav ? t(nav.label) : h.kind,
        leftSection: nav?.icon,
        onClick: () => navigate(`/${h.kind}/${h.id}`),
      };
    }),
    ...found.map((c) => ({
      id: `contact:${c.id}`,
      label: c.name || t("contacts.anonymous"),
      description: String(c.values?.email ?? ""),
      onClick: () => navigate(`/contacts/${c.id}`),
    })),
    ...extraActions,
    { id: "sync", label: t("sync.open"), onClick: () => navigate("/settings/sync") },
    { id: "theme", label: t("palette.toggleTheme"), onClick: toggleTheme },
    { id: "lang", label: t("palette.switchLanguage"), onClick: toggleLang },
  ];

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 220, breakpoint: 0 }} padding="md">
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={1} size="h4">
            {t("app.name")}
          </Title>
          <Group gap="xs">
            <SyncBadge />
            <JobsIndicator />
            <Tooltip label={t("palette.open")}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t("palette.open")}
                onClick={() => palette.open()}
              >
                <IconSearch size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("lang.switch")}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={`${t("lang.switch")}: ${t(lang === "fr" ? "lang.fr" : "lang.en")}`}
                onClick={toggleLang}
              >
                <IconLanguage size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("palette.toggleTheme")}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t("palette.toggleTheme")}
                onClick={toggleTheme}
              >
                {scheme === "dark" ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t("nav.main")} style={{ overflowY: "auto" }}>
        {navItems.map((n) => (
          <Fragment key={n.path}>
            {n.section && (
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={2}>
                {t(n.section)}
              </Text>
            )}
            <NavLink
              href={`#${n.path}`}
              label={t(n.label)}
              leftSection={n.icon}
              py={6}
              active={isActive(n.path, route.path)}
              aria-current={isActive(n.path, route.path) ? "page" : undefined}
            />
          </Fragment>
        ))}
        <Text size="xs" c="dimmed" mt="auto" p="xs">
          Ctrl+K
        </Text>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
      <Spotlight
        store={paletteStore}
        actions={actions}
        shortcut={null}
        query={query}
        onQueryChange={setQuery}
        filter={(qq, acts) => {
          const needle = qq.trim().toLowerCase();
          return acts.filter(
            (a) =>
              "id" in a &&
              (String(a.id).startsWith("contact:") ||
                String(a.id).startsWith("found:") ||
                String(a.label ?? "")
                  .toLowerCase()
                  .includes(needle)),
          );
        }}
        nothingFound={t("palette.nothing")}
        highlightQuery
        searchProps={{ placeholder: t("palette.placeholder"), "aria-label": t("palette.placeholder") }}
      />
    </AppShell>
  );
}
