package fields

// Core returns the fixed fields of obj, in Mautic's order (FieldModel::$coreFields).
func Core(obj Object) []Field {
	if obj == Company {
		return coreCompany
	}
	return coreContact
}

func core(obj Object, alias, label, labelFR string, t Type, group string) Field {
	return Field{ID: "core:" + string(obj) + ":" + alias, Object: obj, Alias: alias, Label: label,
		LabelFR: labelFR, Type: t, Group: group, Listable: true, Fixed: true}
}

var titleOptions = []Option{{"Mr", "Mr"}, {"Mrs", "Mrs"}, {"Miss", "Miss"}}

var coreContact = func() []Field {
	fs := []Field{
		core(Contact, "title", "Title", "Civilité", Lookup, "core"),
		core(Contact, "firstname", "First Name", "Prénom", Text, "core"),
		core(Contact, "lastname", "Last Name", "Nom", Text, "core"),
		core(Contact, "company", "Primary company", "Société principale", Text, "core"),
		core(Contact, "position", "Position", "Fonction", Text, "core"),
		core(Contact, "email", "Email", "E-mail", Email, "core"),
		core(Contact, "mobile", "Mobile", "Portable", Tel, "core"),
		core(Contact, "phone", "Phone", "Téléphone", Tel, "core"),
		core(Contact, "points", "Points", "Points", Number, "core"),
		core(Contact, "fax", "Fax", "Fax", Tel, "core"),
		core(Contact, "address1", "Address Line 1", "Adresse ligne 1", Text, "core"),
		core(Contact, "address2", "Address Line 2", "Adresse ligne 2", Text, "core"),
		core(Contact, "city", "City", "Ville", Text, "core"),
		core(Contact, "state", "State", "Région", Region, "core"),
		core(Contact, "zipcode", "Zip Code", "Code postal", Text, "core"),
		core(Contact, "country", "Country", "Pays", Country, "core"),
		core(Contact, "preferred_locale", "Preferred Locale", "Langue préférée", Locale, "core"),
		core(Contact, "timezone", "Preferred Timezone", "Fuseau horaire", Timezone, "core"),
		core(Contact, "last_active", "Date Last Active", "Dernière activité", Datetime, "core"),
		core(Contact, "attribution_date", "Attribution Date", "Date d'attribution", Datetime, "core"),
		core(Contact, "attribution", "Attribution", "Attribution", Number, "core"),
		core(Contact, "website", "Website", "Site web", URL, "core"),
		core(Contact, "facebook", "Facebook", "Facebook", Text, "social"),
		core(Contact, "foursquare", "Foursquare", "Foursquare", Text, "social"),
		core(Contact, "instagram", "Instagram", "Instagram", Text, "social"),
		core(Contact, "linkedin", "LinkedIn", "LinkedIn", Text, "social"),
		core(Contact, "skype", "Skype", "Skype", Text, "social"),
		core(Contact, "twitter", "Twitter", "Twitter", Text, "social"),
	}
	for i := range fs {
		fs[i].Position = i
		switch fs[i].Alias {
		case "title":
			fs[i].Options = titleOptions
		case "email":
			fs[i].UniqueIdentifier = true
		case "points", "last_active":
			fs[i].System = true
		case "attribution":
			fs[i].Properties = map[string]any{"scale": 2}
		}
	}
	return fs
}()

// Industries is Mautic's companyindustry list.
var Industries = []string{"Aerospace & Defense", "Agriculture", "Apparel", "Automotive & Assembly",
	"Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting",
	"Consumer Packaged Goods", "Education", "Electronics", "Energy", "Engineering", "Entertainment",
	"Environmental", "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality",
	"Insurance", "Machinery", "Manufacturing", "Media", "Metals & Mining", "Not For Profit",
	"Oil & Gas", "Packaging", "Paper & Forest Products", "Pharmaceuticals", "Private Equity",
	"Real Estate", "Recreation", "Retail", "Semiconductors", "Shipping", "Technology",
	"Telecommunications", "Transportation", "Travel", "Utilities", "Wholesale", "Other"}

var coreCompany = func() []Field {
	fs := []Field{
		core(Company, "companyname", "Company Name", "Nom de la société", Text, "core"),
		core(Company, "companyemail", "Company Email", "E-mail de la société", Email, "core"),
		core(Company, "companyaddress1", "Address 1", "Adresse 1", Text, "core"),
		core(Company, "companyaddress2", "Address 2", "Adresse 2", Text, "core"),
		core(Company, "companyphone", "Phone", "Téléphone", Tel, "core"),
		core(Company, "companycity", "City", "Ville", Text, "core"),
		core(Company, "companystate", "State", "Région", Region, "core"),
		core(Company, "companyzipcode", "Zip Code", "Code postal", Text, "core"),
		core(Company, "companycountry", "Country", "Pays", Country, "core"),
		core(Company, "companywebsite", "Website", "Site web", URL, "core"),
		core(Company, "companynumber_of_employees", "Number of Employees", "Nombre d'employés", Number, "professional"),
		core(Company, "companyfax", "Fax", "Fax", Tel, "professional"),
		core(Company, "companyannual_revenue", "Annual Revenue", "Chiffre d'affaires annuel", Number, "professional"),
		core(Company, "companyindustry", "Industry", "Secteur", Select, "professional"),
		core(Company, "companydescription", "Description", "Description", Text, "professional"),
	}
	for i := range fs {
		fs[i].Position = i
		switch fs[i].Alias {
		case "companyname":
			fs[i].Required = true
			fs[i].UniqueIdentifier = true
		case "companyindustry":
			for _, s := range Industries {
				fs[i].Options = append(fs[i].Options, Option{Label: s, Value: s})
			}
		case "companynumber_of_employees":
			fs[i].Properties = map[string]any{"scale": 0}
		case "companyannual_revenue":
			fs[i].Properties = map[string]any{"scale": 2}
		}
	}
	return fs
}()
