import {
  Button,
  Card,
  Grid,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Emails, type EmailSettings as Settings } from "../../api/emails";
import { ErrorBox, Loading } from "../common";
import { emailFieldErrors, useEmailI18n } from "./errors";

/** EmailSettingsScreen edits the SMTP server, sending limits, default sender and tracker URL. */
export function EmailSettingsScreen() {
  const q = useQuery({ queryKey: ["emails", "settings"], queryFn: () => Emails.Settings() });
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  return q.data ? <Form initial={q.data} /> : null;
}

function Form({ initial }: { initial: Settings }) {
  const { t, te, lang } = useEmailI18n();
  const [s, setS] = useState<Settings>(initial);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const text = (k: "signature" | "unsubscribeText" | "webviewText", v: string) =>
    setS((x) => ({ ...x, [k]: v }));
  const smtp = (k: keyof Settings["smtp"], v: unknown) =>
    setS((x) => ({ ...x, smtp: { ...x.smtp, [k]: v } }));
  const save = async () => {
    try {
      await Emails.SaveSettings(s);
      setErrs({});
      setS((x) => ({ ...x, password: "", hasPassword: x.hasPassword || x.password !== "" }));
      notifications.show({ message: t("emails.settings.saved"), color: "green" });
    } catch (e) {
      setErrs(emailFieldErrors(lang, e));
      notifications.show({ message: te(e), color: "red" });
    }
  };
  return (
    <Stack maw={820}>
      <Title order={2}>{t("emails.settings.title")}</Title>
      <Card withBorder>
        <Grid>
          <Grid.Col span={8}>
            <TextInput
              label={t("emails.settings.host")}
              value={s.smtp.host}
              onChange={(e) => smtp("host", e.currentTarget.value)}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label={t("emails.settings.port")}
              value={s.smtp.port}
              min={0}
              max={65535}
              onChange={(v) => smtp("port", Number(v) || 0)}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label={t("emails.settings.tls")}
              value={s.smtp.tls || "starttls"}
              onChange={(v) => smtp("tls", v ?? "starttls")}
              data={["starttls", "opportunistic", "tls", "none"]}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label={t("emails.settings.auth")}
              value={s.smtp.auth || ""}
              onChange={(v) => smtp("auth", v ?? "")}
              data={[
                { value: "", label: t("common.none") },
                { value: "plain", label: "PLAIN" },
                { value: "login", label: "LOGIN" },
                { value: "cram-md5", label: "CRAM-MD5" },
                { value: "xoauth2", label: "XOAUTH2" },
              ]}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <TextInput
              label={t("emails.settings.user")}
              value={s.smtp.username}
              onChange={(e) => smtp("username", e.currentTarget.value)}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <PasswordInput
              label={t("emails.settings.password")}
              placeholder={s.hasPassword ? t("emails.settings.passwordKept") : ""}
              value={s.password}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setS((x) => ({ ...x, password: v }));
              }}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label={t("emails.settings.connections")}
              value={s.smtp.connections}
              min={1}
              max={32}
              onChange={(v) => smtp("connections", Number(v) || 0)}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label={t("emails.settings.perSecond")}
              value={s.smtp.perSecond}
              min={0}
              onChange={(v) => smtp("perSecond", Number(v) || 0)}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label={t("emails.settings.perHour")}
              value={s.smtp.perHour}
              min={0}
              onChange={(v) => smtp("perHour", Number(v) || 0)}
            />
          </Grid.Col>
          <Grid.Col span={6}>
            <TextInput
              label={t("emails.settings.defaultFromName")}
              value={s.defaultFromName}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setS((x) => ({ ...x, defaultFromName: v }));
              }}
            />
          </Grid.Col>
          <Grid.Col span={6}>
            <TextInput
              label={t("emails.settings.defaultFrom")}
              value={s.defaultFrom}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setS((x) => ({ ...x, defaultFrom: v }));
              }}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput
              label={t("emails.settings.tracker")}
              value={s.trackerUrl}
              placeholder="https://t.example.com"
              onChange={(e) => {
                const v = e.currentTarget.value;
                setS((x) => ({ ...x, trackerUrl: v }));
              }}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <Text fw={600} size="sm">
              {t("emails.settings.texts")}
            </Text>
          </Grid.Col>
          <Grid.Col span={12}>
            <Textarea
              label={t("emails.settings.signature")}
              description={t("emails.settings.signatureHint")}
              autosize
              minRows={2}
              value={s.signature}
              onChange={(e) => text("signature", e.currentTarget.value)}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput
              label={t("emails.settings.unsubscribeText")}
              description={t("emails.settings.linkTextHint")}
              placeholder={t("emails.settings.unsubscribeDefault")}
              value={s.unsubscribeText}
              error={errs.unsubscribeText}
              onChange={(e) => text("unsubscribeText", e.currentTarget.value)}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput
              label={t("emails.settings.webviewText")}
              description={t("emails.settings.linkTextHint")}
              placeholder={t("emails.settings.webviewDefault")}
              value={s.webviewText}
              error={errs.webviewText}
              onChange={(e) => text("webviewText", e.currentTarget.value)}
            />
          </Grid.Col>
          <Grid.Col span={12}>
            <Text fw={600} size="sm">
              {t("emails.settings.frequency")}
            </Text>
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label={t("emails.settings.frequencyNumber")}
              value={s.frequencyNumber}
              min={0}
              max={10000}
              onChange={(v) => setS((x) => ({ ...x, frequencyNumber: Number(v) || 0 }))}
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label={t("emails.settings.frequencyTime")}
              data={(["DAY", "WEEK", "MONTH"] as const).map((p) => ({
                value: p,
                label: t(`emails.period.${p}`),
              }))}
              value={s.frequencyTime || "DAY"}
              onChange={(v) => setS((x) => ({ ...x, frequencyTime: v ?? "DAY" }))}
              allowDeselect={false}
            />
          </Grid.Col>
        </Grid>
        <Button mt="md" onClick={() => void save()}>
          {t("emails.save")}
        </Button>
      </Card>
    </Stack>
  );
}
