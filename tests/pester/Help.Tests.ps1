# Every exported cmdlet has complete help (compiled from docs/en-US by the build), and every example parses.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $module = Import-Module $ModulePath -Force -PassThru
    $cmdlets = @(Get-Command -Module $module.Name -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters + 'ProgressAction'
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+\s*\[' # not the generated syntax stand-in
        ($help.Description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter' {
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented = $help.parameters.parameter | Where-Object name -eq $parameter
            $documented | Should -Not -BeNullOrEmpty -Because "-$parameter must be documented"
            ($documented.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'has at least two examples, one piping from an Az cmdlet (or another LogicAppAuth cmdlet) and one ending in Export-Csv or ConvertTo-Json' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        $code = $examples.code -join "`n"
        $code | Should -Match '(Get-Az\w+|Get-Logic\w+|Test-Logic\w+)[^|\n]*\|'
        $code | Should -Match 'Export-Csv|ConvertTo-Json'
    }

    It 'has examples that parse' {
        foreach ($example in $help.examples.example) {
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput(($example.code -join "`n"), [ref] $null, [ref] $errors) | Out-Null
            $errors | Should -BeNullOrEmpty -Because "example '$($example.title)' must parse"
        }
    }

    It 'documents its output type' {
        $outputs = $help.returnValues.returnValue.type.name -join ' '
        foreach ($type in $command.OutputType.Name | Where-Object { $_ -ne 'System.Void' }) {
            $outputs | Should -Match ([regex]::Escape($type))
        }
    }
}

Describe 'about_LogicAppAuth' {
    BeforeAll {
        $about = "$(Get-Help about_LogicAppAuth)"
        $exported = @(Get-Command -Module LogicAppAuth -CommandType Cmdlet)
        function Get-AboutSection([string] $Heading) {
            # The text under '## <Heading>' up to the next '## ' heading.
            $match = [regex]::Match($about, ('(?ms)^## {0}\s*$(.*?)(?=^## |\z)' -f [regex]::Escape($Heading)))
            $match.Success | Should -BeTrue -Because "about_LogicAppAuth needs a '## $Heading' section"
            $match.Groups[1].Value
        }
    }

    It 'is installed with the module' {
        $about | Should -Match 'managed identity'
    }

    It 'names every exported cmdlet under SEE ALSO' {
        $seeAlso = @((Get-AboutSection 'SEE ALSO') -split '\n' | ForEach-Object { ($_ -replace '^\s*-\s*', '').Trim() })
        foreach ($cmdlet in $exported.Name) { $seeAlso | Should -Contain $cmdlet }
    }

    It 'describes every exported cmdlet in its LONG DESCRIPTION' {
        $description = Get-AboutSection 'LONG DESCRIPTION'
        foreach ($cmdlet in $exported.Name) { $description | Should -Match "\b$cmdlet\b" }
    }

    It 'names, under NOTE, every cmdlet that changes something (supports -WhatIf)' {
        $note = Get-AboutSection 'NOTE'
        $changing = @($exported | Where-Object { $_.Parameters.ContainsKey('WhatIf') })
        $changing.Count | Should -BeGreaterThan 0
        foreach ($cmdlet in $changing.Name) { $note | Should -Match "\b$cmdlet\b" }
        $note | Should -Not -Match 'only reads Azure in this version'
    }
}
