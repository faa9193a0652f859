import { ActionIcon, Anchor, Badge, Button, Card, Group, Select, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconStar, IconUnlink } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Companies, Contacts, type ContactView } from "../../api";
import { useI18n } from "../../i18n";

export function ContactCompanies({
  contact: c,
  onChange,
}: {
  contact: ContactView;
  onChange: (c: ContactView) => void;
}) {
  const { t, te } = useI18n();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 150);
  const [pick, setPick] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ["companies", "pick", q],
    queryFn: () =>
      Companies.List({ search: q, sort: "name", desc: false, offset: 0, limit: 20, deleted: false }),
  });
  const run = (p: Promise<ContactView>) =>
    p.then(onChange, (e: unknown) => notifications.show({ color: "red", message: te(e) }));
  return (
    <Stack>
      {c.companies.length === 0 && <Text c="dimmed">{t("contact.noCompany")}</Text>}
      {c.companies.map((l) => (
        <Card withBorder key={l.companyId} p="sm">
          <Group justify="space-between">
            <Group gap="xs">
              <Anchor href={`#/companies/${l.companyId}`}>{l.name}</Anchor>
              {l.primary && <Badge size="sm">{t("contact.primary")}</Badge>}
            </Group>
            <Group gap={4}>
              {!l.primary && (
                <ActionIcon
                  variant="subtle"
                  aria-label={t("contact.makePrimary", { name: l.name })}
                  onClick={() => void run(Contacts.LinkCompany(c.id, l.companyId, true))}
                >
                  <IconStar size={16} aria-hidden />
                </ActionIcon>
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("contact.unlink", { name: l.name })}
                onClick={() => void run(Contacts.UnlinkCompany(c.id, l.companyId))}
              >
                <IconUnlink size={16} aria-hidden />
              </ActionIcon>
            </Group>
          </Group>
        </Card>
      ))}
      <Group align="flex-end">
        <Select
          label={t("contact.linkCompany")}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          data={(found.data?.rows ?? []).map((x) => ({ value: x.id, label: x.name }))}
          value={pick}
          onChange={setPick}
          filter={({ options }) => options}
          nothingFoundMessage={t("palette.nothing")}
          w={320}
        />
        <Button
          disabled={!pick}
          onClick={() => {
            if (pick)
              void run(Contacts.LinkCompany(c.id, pick, c.companies.length === 0)).then(() => setPick(null));
          }}
        >
          {t("contact.link")}
        </Button>
      </Group>
    </Stack>
  );
}
