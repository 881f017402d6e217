// The refract extension: starts `refract lsp` for .crit files and hands it the editor's
// documents. Everything the language server does (diagnostics, formatting, hover, go to
// definition, references, completion) comes from refract itself.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('refract').get('path') || 'refract';
  // Over standard input and output; the client adds `--stdio`, which refract accepts.
  const serverOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'refract' },
      { scheme: 'untitled', language: 'refract' },
    ],
  };
  client = new LanguageClient('refract', 'refract', serverOptions, clientOptions);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `refract lsp could not be started with "${command}": ${error.message}. ` +
        'Set "refract.path" to the refract program.'
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
