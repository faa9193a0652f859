// The contact page's email preferences (issue 6): category subscriptions (Mautic's
// lead_categories) and the contact's frequency rule — the same data the preference center edits.
import {
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { app } from "../../../wailsjs/go/models";
import { Emails } from "../../api/emails";
import { ErrorBox, Loading } from "../common";
import { useEmailI18n } from "./errors";

type Rule = app.FrequencyRuleView;

export function ContactEmailPrefs({ contactId }: { contactId: string }) {
  const { t, te } = useEmailI18n();
  const q = useQuery({
    queryKey: ["contact", contactId, "emailPrefs"],
    queryFn: () => Emails.ContactPrefs(contactId),
  });
  const [rule, setRule] = useState<Rule | null>(null);
  const [cats, setCats] = useState<Record<string, boolean>>({}); // shown at once, saved behind
  const [saving, setSaving] = useState(false);
  // The rule being edited is read once (and after its own save): a refetch after a category
  // toggle must not wipe what is being typed.
  useEffect(() => {
    if (q.data) {
      const loaded = q.data.frequency;
      setRule((r) => r ?? loaded);
      setCats(Object.fromEntries(q.data.categories.map((c) => [c.category, c.subscribed])));
    }
  }, [q.data]);
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data || !rule) return null;
  const toggle = async (category: string, subscribed: boolean) => {
    setCats((c) => ({ ...c, [category]: subscribed }));
    try {
      await Emails.SetContactCategory(contactId, category, subscribed);
      await q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const save = async () => {
    setSaving(true);
    try {
      await Emails.SaveFrequencyRule({ ...rule, contactId });
      notifications.show({ color: "green", message: t("emails.prefs.saved") });
      const fresh = await q.refetch();
      if (fresh.data) setRule(fresh.data.frequency);
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card withBorder mt="md" data-testid="contact-email-prefs">
      <Stack gap="sm">
        <Title order={4}>{t("emails.prefs.title")}</Title>
        <Text fw={600} size="sm">
          {t("emails.prefs.categories")}
        </Text>
        {q.data.categories.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("emails.prefs.noCategories")}
          </Text>
        ) : (
          <Group>
            {q.data.categories.map((c) => (
              <Checkbox
                key={c.category}
                label={c.category}
                checked={cats[c.category] ?? c.subscribed}
                onChange={(e) => void toggle(c.category, e.currentTarget.checked)}
              />
            ))}
          </Group>
        )}
        <Text fw={600} size="sm">
          {t("emails.prefs.frequency")}
        </Text>
        <Group align="end">
          <NumberInput
            label={t("emails.prefs.number")}
            description={t("emails.prefs.frequencyHelp")}
            min={0}
            max={10000}
            value={rule.number || ""}
            onChange={(v) => setRule({ ...rule, number: Number(v) || 0 })}
            w={200}
          />
          <Select
            label={t("emails.prefs.per")}
            data={(["DAY", "WEEK", "MONTH"] as const).map((p) => ({
              value: p,
              label: t(`emails.period.${p}`),
            }))}
            value={rule.time || "DAY"}
            onChange={(v) => setRule({ ...rule, time: v ?? "DAY" })}
            allowDeselect={false}
            w={140}
          />
          <TextInput
            type="date"
            label={t("emails.prefs.pauseFrom")}
            value={rule.pauseFrom}
            onChange={(e) => setRule({ ...rule, pauseFrom: e.currentTarget.value })}
          />
          <TextInput
            type="date"
            label={t("emails.prefs.pauseTo")}
            value={rule.pauseTo}
            onChange={(e) => setRule({ ...rule, pauseTo: e.currentTarget.value })}
          />
          <Button loading={saving} onClick={() => void save()}>
            {t("emails.prefs.save")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
