package seed

import "magpie/backend/fields"

// Name pools: English, French, German and Spanish, accents included on purpose.
var firstNames = []string{
	"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "James", "Isabella", "William",
	"Chloé", "Léa", "Zoé", "Inès", "Maëlys", "Anaïs", "Hélène", "Céline", "Élodie", "Gaëlle",
	"Jérôme", "Théo", "Raphaël", "Benoît", "Loïc", "François", "Gaël", "Noël", "Stéphane", "Aurélien",
	"Jürgen", "Jörg", "Günther", "Björn", "Lukas", "Jonas", "Lena", "Jürgen", "Käthe", "Sören",
	"José", "María", "Lucía", "Sofía", "Martín", "Andrés", "Iñigo", "Begoña", "Ramón", "Álvaro",
	"Camille", "Manon", "Julien", "Nicolas", "Sarah", "Thomas", "Laura", "David", "Marie", "Paul",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Lefèvre", "Garçon", "Bézier", "Bélanger", "Côté", "Gérard", "Lemaître", "Hébert", "Château", "Prévost",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Schäfer", "Köhler", "Groß", "Bäcker", "Jäger",
	"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Muñoz",
	"O'Brien", "Nguyen", "Rossi", "Silva", "Kowalski", "Novák", "Jansen", "Andersson", "Nielsen", "Dupont",
}

type place struct{ city, country, locale, tz string }

var places = []place{
	{"Paris", "France", "fr_FR", "Europe/Paris"}, {"Lyon", "France", "fr_FR", "Europe/Paris"},
	{"Montréal", "Canada", "fr_CA", "America/Toronto"}, {"Genève", "Switzerland", "fr_CH", "Europe/Zurich"},
	{"Zürich", "Switzerland", "de_CH", "Europe/Zurich"}, {"München", "Germany", "de_DE", "Europe/Berlin"},
	{"Köln", "Germany", "de_DE", "Europe/Berlin"}, {"Berlin", "Germany", "de_DE", "Europe/Berlin"},
	{"Wien", "Austria", "de_AT", "Europe/Vienna"}, {"Madrid", "Spain", "es_ES", "Europe/Madrid"},
	{"Málaga", "Spain", "es_ES", "Europe/Madrid"}, {"Bogotá", "Colombia", "es_CO", "America/Bogota"},
	{"México", "Mexico", "es_MX", "America/Mexico_City"}, {"London", "United Kingdom", "en_GB", "Europe/London"},
	{"Manchester", "United Kingdom", "en_GB", "Europe/London"}, {"New York", "United States", "en_US", "America/New_York"},
	{"Austin", "United States", "en_US", "America/Chicago"}, {"San Francisco", "United States", "en_US", "America/Los_Angeles"},
	{"Bruxelles", "Belgium", "fr_BE", "Europe/Brussels"}, {"Québec", "Canada", "fr_CA", "America/Toronto"},
	{"Sevilla", "Spain", "es_ES", "Europe/Madrid"}, {"Düsseldorf", "Germany", "de_DE", "Europe/Berlin"},
	{"Toulouse", "France", "fr_FR", "Europe/Paris"}, {"Dublin", "Ireland", "en_IE", "Europe/Dublin"},
}

var domains = []string{"example.com", "example.org", "example.net", "mail.example", "exemple.fr", "beispiel.de", "ejemplo.es"}

var tagPool = []string{"newsletter", "customer", "prospect", "vip", "webinar-2026", "trial", "churned", "partner",
	"événement", "salon-paris", "früh-bucher", "cliente", "b2b", "b2c", "lead-chaud", "lead-froid", "beta", "press", "support", "referral"}

var positions = []string{"CEO", "CTO", "Marketing Manager", "Directeur commercial", "Responsable marketing", "Geschäftsführer",
	"Ingeniero", "Developer", "Sales Rep", "Chef de projet", "Consultant", "Designer"}

var companyWords = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Soylent", "Stark", "Wayne", "Tyrell", "Cyberdyne",
	"Boulangerie", "Brasserie", "Atelier", "Société", "Werke", "Bäckerei", "Hermanos", "Compañía", "Fábrica", "Groupe"}

var companySuffix = []string{"SA", "SARL", "GmbH", "AG", "S.L.", "Ltd", "Inc", "LLC", "& Co", "SAS"}

var pages = []struct{ url, title string }{
	{"https://www.example.com/", "Home"}, {"https://www.example.com/pricing", "Pricing"},
	{"https://www.example.com/blog/email-tips", "10 email tips"}, {"https://www.example.com/fr/tarifs", "Tarifs"},
	{"https://www.example.com/de/preise", "Preise"}, {"https://www.example.com/contact", "Contact"},
	{"https://www.example.com/webinar", "Webinar"}, {"https://www.example.com/docs/start", "Getting started"},
}

var emailNames = []string{"Welcome", "Newsletter March", "Newsletter April", "Webinar invite", "Promo -20 %", "Bienvenue", "Relance panier"}

// customFields are the 10 custom fields demo data fills.
var customFields = []fields.Input{
	{Object: fields.Contact, Alias: "birthday", Label: "Birthday", LabelFR: "Date de naissance", Type: fields.Date, Group: "personal"},
	{Object: fields.Contact, Alias: "newsletter_optin", Label: "Newsletter opt-in", LabelFR: "Inscrit à la newsletter", Type: fields.Boolean, Group: "core"},
	{Object: fields.Contact, Alias: "plan", Label: "Plan", LabelFR: "Formule", Type: fields.Select, Group: "professional",
		Options: []fields.Option{{Label: "Free", Value: "free"}, {Label: "Pro", Value: "pro"}, {Label: "Enterprise", Value: "enterprise"}}},
	{Object: fields.Contact, Alias: "interests", Label: "Interests", LabelFR: "Centres d'intérêt", Type: fields.Multiselect, Group: "personal",
		Options: []fields.Option{{Label: "Email", Value: "email"}, {Label: "SEO", Value: "seo"}, {Label: "Social", Value: "social"}, {Label: "Events", Value: "events"}}},
	{Object: fields.Contact, Alias: "nps", Label: "NPS score", LabelFR: "Score NPS", Type: fields.Number, Group: "core"},
	{Object: fields.Contact, Alias: "lead_source", Label: "Lead source", LabelFR: "Source du prospect", Type: fields.Text, Group: "core"},
	{Object: fields.Contact, Alias: "customer_since", Label: "Customer since", LabelFR: "Client depuis", Type: fields.Date, Group: "professional"},
	{Object: fields.Contact, Alias: "last_order_at", Label: "Last order", LabelFR: "Dernière commande", Type: fields.Datetime, Group: "professional"},
	{Object: fields.Contact, Alias: "lifetime_value", Label: "Lifetime value", LabelFR: "Valeur vie client", Type: fields.Number, Group: "professional"},
	{Object: fields.Contact, Alias: "loyalty_card", Label: "Loyalty card", LabelFR: "Carte de fidélité", Type: fields.Text, Group: "personal"},
}

var leadSources = []string{"website", "salon", "webinar", "partner", "import", "ads", "bouche-à-oreille"}
