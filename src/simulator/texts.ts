/** French texts in the style of Douane's answers. The spec publishes one error (H7_NAT_000) and no list of
 *  states: the others are plausible examples for tests, not Douane's catalogue. */

export interface DeclarationEvent {
  state: string;
  event: string;
}

export const declarationEvents: readonly DeclarationEvent[] = [
  { state: "ACC", event: "Déclaration acceptée" },
  { state: "CTL", event: "Déclaration sélectionnée pour un contrôle documentaire" },
  { state: "BAE", event: "Bon à enlever délivré : mainlevée des marchandises accordée" },
  { state: "REJ", event: "Déclaration rejetée après contrôle" },
  { state: "INV", event: "Déclaration invalidée à la demande de l'opérateur" },
];

export interface FunctionalError {
  errorType: number;
  errorCode: string;
  errorPointer: string;
  errorDescription: string;
}

export const functionalErrors: readonly FunctionalError[] = [
  {
    errorType: 15,
    errorCode: "H7_NAT_000",
    errorPointer: "lrn",
    errorDescription: "Le LRN saisi ne doit pas correspondre à celui d'une autre déclaration",
  },
  {
    errorType: 12,
    errorCode: "H7_NAT_014",
    errorPointer: "goodsShipment.goodsItem[{item}].commodityCode",
    errorDescription: "Le code marchandise doit comporter au moins 6 chiffres",
  },
  {
    errorType: 12,
    errorCode: "H7_NAT_021",
    errorPointer: "goodsShipment.goodsItem[{item}].intrinsicValue",
    errorDescription: "La valeur intrinsèque de l'envoi ne doit pas dépasser 150 EUR",
  },
  {
    errorType: 13,
    errorCode: "H7_NAT_032",
    errorPointer: "importer.identificationNumber",
    errorDescription: "Le numéro EORI de l'importateur est inconnu ou n'est plus valide",
  },
  {
    errorType: 12,
    errorCode: "H7_NAT_047",
    errorPointer: "goodsShipment.goodsItem[{item}].countryOfOrigin",
    errorDescription: "Le pays d'origine doit être un code pays ISO 3166-1 alpha-2 valide",
  },
  {
    errorType: 12,
    errorCode: "H7_NAT_053",
    errorPointer: "goodsShipment.goodsItem[{item}].grossMass",
    errorDescription: "La masse brute doit être supérieure ou égale à la masse nette",
  },
  {
    errorType: 14,
    errorCode: "H7_NAT_068",
    errorPointer: "goodsShipment.goodsItem[{item}].nationalTaxCode",
    errorDescription: "Le code de taxe nationale n'existe pas dans le référentiel en vigueur",
  },
];

/** Technical errors carry neither errorType nor errorCode (those are for functional errors only). */
export const technicalErrors: readonly string[] = [
  "Erreur technique : le message n'a pas pu être traité, veuillez le soumettre à nouveau",
  "Erreur technique : délai de traitement dépassé",
];

export const nationalTaxCodes: readonly string[] = ["B00A", "B00B", "B00C", "C00A"];
