import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Pagination,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconPencil, IconPlus, IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Companies, type CompanyView, type Field } from "../../api";
import { useFields } from "../../api/hooks";
import { DeleteButton } from "../../components/DeleteButton";
import { type Key, useI18n } from "../../i18n";
import { useCountryLabel } from "../../i18n/countries";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";
import { fieldErrors } from "../contacts/ContactPage";
import { ContactsScreen } from "../contacts/ContactsScreen";
import { FieldForm } from "../fields/FieldForm";
import { changedValues, fieldLabel, groupFields, toText } from "../fields/values";

const PAGE = 50;

export function CompaniesScreen() {
  const { t, lang, fmtNumber, fmtDate } = useI18n();
  const country = useCountryLabel(lang);
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 120);
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<"name" | "date_added">("name");
  const list = useQuery({
    queryKey: ["companies", "list", q, sort, page],
    queryFn: () =>
      Companies.List({
        search: q,
        sort,
        desc: sort === "date_added",
        offset: (page - 1) * PAGE,
        limit: PAGE,
        deleted: false,
      }),
    placeholderData: keepPreviousData,
  });
  const total = list.data?.total ?? 0;
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t("nav.companies")}</Title>
          {list.data && (
            <Badge size="lg" variant="light" data-testid="company-total">
              {fmtNumber(total)}
            </Badge>
          )}
        </Group>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/companies/new")}>
          {t("palette.newCompany")}
        </Button>
      </Group>
      <TextInput
        leftSection={<IconSearch size={16} aria-hidden />}
        placeholder={t("companies.searchPlaceholder")}
        aria-label={t("common.search")}
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value);
          setPage(1);
        }}
      />
      {list.isPending && <Loading />}
      {list.isError && <ErrorBox error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && total === 0 && q === "" && (
        <EmptyState title={t("companies.empty")} hint={t("companies.emptyHint")} />
      )}
      {list.data && total === 0 && q !== "" && <Text c="dimmed">{t("contacts.noMatch", { q })}</Text>}
      {list.data && total > 0 && (
        <Table striped highlightOnHover data-testid="company-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th aria-sort={sort === "name" ? "ascending" : undefined}>
                <Anchor component="button" onClick={() => setSort("name")}>
                  {t("companies.name")}
                </Anchor>
              </Table.Th>
              <Table.Th>{t("companies.city")}</Table.Th>
              <Table.Th>{t("companies.country")}</Table.Th>
              <Table.Th ta="right">{t("nav.contacts")}</Table.Th>
              <Table.Th aria-sort={sort === "date_added" ? "descending" : undefined}>
                <Anchor component="button" onClick={() => setSort("date_added")}>
                  {t("contacts.dateAdded")}
                </Anchor>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.rows.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor href={`#/companies/${c.id}`}>{c.name || "—"}</Anchor>
                </Table.Td>
                <Table.Td>{String(c.values?.companycity ?? "")}</Table.Td>
                <Table.Td>{country(String(c.values?.companycountry ?? ""))}</Table.Td>
                <Table.Td ta="right">{fmtNumber(c.contacts)}</Table.Td>
                <Table.Td>{fmtDate(c.dateAdded)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {total > PAGE && (
        <Pagination
          total={Math.ceil(total / PAGE)}
          value={page}
          onChange={setPage}
          getControlProps={() => ({})}
        />
      )}
    </Stack>
  );
}

function companyText(fields: Field[], c: CompanyView | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (!f.system) out[f.alias] = toText(f, c?.values?.[f.alias]);
  return out;
}

function CompanyEditor({
  company,
  fields,
  onDone,
}: {
  company: CompanyView | null;
  fields: Field[];
  onDone: (c: CompanyView | null) => void;
}) {
  const { t, te, lang } = useI18n();
  const orig = companyText(fields, company);
  const [values, setValues] = useState(orig);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      const c = company
        ? await Companies.Update(company.id, changedValues(orig, values))
        : await Companies.Create(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")));
      notifications.show({ color: "green", message: t("contact.saved") });
      onDone(c);
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(fe);
      notifications.show({
        color: "red",
        message: Object.keys(fe).length ? t("contact.fixErrors", { n: Object.keys(fe).length }) : te(e),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Stack>
        <FieldForm
          fields={fields}
          values={values}
          errors={errors}
          onChange={(a, v) => {
            setValues((s) => ({ ...s, [a]: v }));
            setErrors(({ [a]: _, ...rest }) => rest);
          }}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone(company)}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={busy}>
            {company ? t("common.save") : t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NewCompanyPage() {
  const { t } = useI18n();
  const fields = useFields("company");
  if (fields.isPending) return <Loading />;
  if (fields.isError) return <ErrorBox error={fields.error} />;
  return (
    <Stack maw={1000}>
      <Title order={2}>{t("palette.newCompany")}</Title>
      <CompanyEditor
        company={null}
        fields={fields.data}
        onDone={(c) => navigate(c ? `/companies/${c.id}` : "/companies")}
      />
    </Stack>
  );
}

export function CompanyPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const country = useCountryLabel(lang);
  const qc = useQueryClient();
  const fields = useFields("company");
  const company = useQuery({ queryKey: ["company", id], queryFn: () => Companies.Get(id) });
  const [editing, setEditing] = useState(false);
  if (company.isPending || fields.isPending) return <Loading />;
  if (company.isError) return <ErrorBox error={company.error} onRetry={() => void company.refetch()} />;
  if (fields.isError) return <ErrorBox error={fields.error} />;
  const c = company.data;
  return (
    <Stack>
      <Anchor href="#/companies" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {t("nav.companies")}
        </Group>
      </Anchor>
      <Group justify="space-between">
        <Title order={2} data-testid="company-name">
          {c.name}
        </Title>
        {!editing && (
          <Group gap="xs">
            <Button leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setEditing(true)}>
              {t("common.edit")}
            </Button>
            <DeleteButton
              remove={() => Companies.Delete([id])}
              restore={() => Companies.Restore([id])}
              listPath="/companies"
              pagePath={`/companies/${id}`}
            />
          </Group>
        )}
      </Group>
      {editing ? (
        <CompanyEditor
          company={c}
          fields={fields.data}
          onDone={(v) => {
            if (v) qc.setQueryData(["company", id], v);
            setEditing(false);
          }}
        />
      ) : (
        <Card withBorder>
          <Table>
            <Table.Tbody>
              {groupFields(fields.data.filter((f) => toText(f, c.values?.[f.alias]) !== "")).flatMap(
                ([group, fs]) =>
                  fs.map((f) => (
                    <Table.Tr key={f.alias}>
                      <Table.Th scope="row" w="35%">
                        {fieldLabel(f, lang)}{" "}
                        <Text span size="xs" c="dimmed">
                          ({t(`fields.group.${group}` as Key)})
                        </Text>
                      </Table.Th>
                      <Table.Td>
                        {f.type === "country"
                          ? country(String(c.values?.[f.alias]))
                          : String(c.values?.[f.alias])}
                      </Table.Td>
                    </Table.Tr>
                  )),
              )}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <Title order={3}>{t("companies.contacts", { n: c.contacts })}</Title>
      <ContactsScreen companyId={id} embedded />
    </Stack>
  );
}
