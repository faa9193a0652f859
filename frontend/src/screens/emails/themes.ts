// Starter themes for the visual (MJML) builder. Fonts are web-safe and images are data: URIs
// or none, so a theme works offline and sends nothing external but the links.
import type { StarterWords } from "../../api/emails";
import type { Key } from "../../i18n";

/** starterWords are a new email's sample words in the UI language. */
export function starterWords(t: (k: Key) => string): StarterWords {
  return {
    hello: t("emails.starter.hello"),
    text: t("emails.starter.text"),
    button: t("emails.starter.button"),
  };
}

/** starterMJML is the visual builder's sample content, in w's words. */
export function starterMJML(w: StarterWords): string {
  return `<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="24px">
      <mj-column>
        <mj-text font-size="24px" font-family="Arial, Helvetica, sans-serif">${w.hello}</mj-text>
        <mj-text font-size="16px" line-height="1.5" font-family="Arial, Helvetica, sans-serif">${w.text}</mj-text>
        <mj-button href="https://example.com/" background-color="#1c7ed6">${w.button}</mj-button>
        <mj-text font-size="12px" color="#868e96" font-family="Arial, Helvetica, sans-serif">{unsubscribe_text} · {webview_text}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

const font = 'font-family="Arial, Helvetica, sans-serif"';

export const THEMES: { id: string; label: string; mjml: string }[] = [
  {
    id: "simple",
    label: "Simple",
    mjml: starterMJML({
      hello: "Hello {contactfield=firstname|there},",
      text: "Write your message here.",
      button: "Read more",
    }),
  },
  {
    id: "newsletter",
    label: "Newsletter (two columns)",
    mjml: `<mjml>
  <mj-body background-color="#eef1f5">
    <mj-section background-color="#1c7ed6" padding="16px">
      <mj-column><mj-text color="#ffffff" font-size="22px" ${font}>Monthly news</mj-text></mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="20px">
      <mj-column>
        <mj-text font-size="16px" ${font}>Hi {contactfield=firstname|there}, here is what happened this month.</mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="0 20px 20px">
      <mj-column>
        <mj-text font-size="18px" font-weight="bold" ${font}>First story</mj-text>
        <mj-text ${font}>A short summary of the first story.</mj-text>
        <mj-button href="https://example.com/1" background-color="#1c7ed6">Read</mj-button>
      </mj-column>
      <mj-column>
        <mj-text font-size="18px" font-weight="bold" ${font}>Second story</mj-text>
        <mj-text ${font}>A short summary of the second story.</mj-text>
        <mj-button href="https://example.com/2" background-color="#1c7ed6">Read</mj-button>
      </mj-column>
    </mj-section>
    <mj-section padding="12px">
      <mj-column><mj-text font-size="12px" color="#868e96" align="center" ${font}>{unsubscribe_text} · {webview_text}</mj-text></mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
  },
  {
    id: "announcement",
    label: "Announcement",
    mjml: `<mjml>
  <mj-body background-color="#ffffff">
    <mj-section padding="40px 20px">
      <mj-column>
        <mj-text align="center" font-size="30px" font-weight="bold" ${font}>Big news, {contactfield=firstname|friend}!</mj-text>
        <mj-text align="center" font-size="16px" line-height="1.6" ${font}>Tell your readers what is new in two or three sentences.</mj-text>
        <mj-button href="https://example.com/" background-color="#2f9e44" font-size="16px">Discover it</mj-button>
        <mj-divider border-color="#dee2e6" />
        <mj-text align="center" font-size="12px" color="#868e96" ${font}>{unsubscribe_text}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
  },
];
