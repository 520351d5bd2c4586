"""The SMS intake: texts (SMS and MMS) to the hotline's number, from Twilio's messaging webhooks."""
